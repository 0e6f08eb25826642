## تسجيل الدخول والتسجيل والتأكيد والموافقة والصفحات الأخرى في الطريق إلى تطبيق.

home-intro = هذا هو مزوّد الهوية على <code>{ $issuer }</code>. ترسلك التطبيقات إلى هنا لتسجيل الدخول.
home-sign-in = تسجيل الدخول

signin-title = تسجيل الدخول
signin-heading = تسجيل الدخول
signin-continue-to = للمتابعة إلى <strong>{ $app }</strong>
signin-intro = استخدم مفتاح المرور على هذا الجهاز أو على هاتفك أو على مفتاح أمان.
signin-button = تسجيل الدخول بمفتاح مرور
signin-lost-passkey = فقدت مفتاح المرور؟
signin-no-account = ليس لديك حساب بعد؟
signin-create-account = أنشئ حسابًا بمفتاح مرور.

signed-in-title = أنت مسجّل الدخول
signed-in-heading = أنت مسجّل الدخول
signed-in-as = أنت مسجّل الدخول باسم <strong>{ $username }</strong>.
signed-in-continue-to = تابع إلى <strong id="requesting-app">{ $app }</strong> بهذا الحساب، أو سجّل الدخول بحساب شخص آخر.
signed-in-switch = تسجيل الدخول بحساب آخر

enrol-bootstrap-heading = إعداد المسؤول الأول
enrol-bootstrap-intro = يعمل هذا الرابط مرة واحدة. الحساب الذي تنشئه هنا يدير هذا الخادم، ومفتاح مروره هو الطريق الوحيد للدخول.
enrol-invite-heading = أنشئ حسابك
enrol-invite-intro = تمت دعوتك باسم { $email }. اختر اسم مستخدم وأنشئ مفتاح مرور على هذا الجهاز.
enrol-signup-heading = إنشاء حساب
enrol-signup-intro = اختر اسم مستخدم وأنشئ مفتاح مرور على هذا الجهاز. لا توجد كلمة مرور.
enrol-signup-intro-app = اختر اسم مستخدم وأنشئ مفتاح مرور على هذا الجهاز للمتابعة إلى { $app }. لا توجد كلمة مرور.

onboarding-title = حسابك جاهز
onboarding-heading = تم إعداد مفتاح المرور
onboarding-save-codes = احفظ رموز الاسترداد
onboarding-codes-intro = تتيح لك هذه الرموز استرداد حسابك إذا فقدت كل مفاتيح المرور. يعمل كل رمز مرة واحدة. <strong>لن تظهر إلا الآن</strong>: اطبعها أو احفظها في مدير كلمات مرور.
onboarding-codes-shown = عُرضت رموز الاسترداد مرة من قبل. يمكنك إنشاء رموز جديدة في <a href="/account">صفحة حسابك</a>.
onboarding-backup-heading = أضف مفتاح مرور احتياطيًا
onboarding-backup-intro = مفتاح مرور ثانٍ على جهاز آخر (هاتف أو حاسوب آخر أو مفتاح أمان) يُبقيك قادرًا على الدخول إذا فُقد هذا الجهاز.
onboarding-backup-button = أضف مفتاح مرور على جهاز آخر

passkey-here-title = استخدم مفتاح مرور على هذا الجهاز
passkey-here-heading = سجّل الدخول أسرع على هذا الجهاز
passkey-here-intro = سجّلت الدخول بمفتاح مرور من جهاز آخر. أنشئ مفتاح مرور هنا وستكفيك في المرة القادمة لمسة واحدة.
passkey-here-button = أنشئ مفتاح مرور على هذا الجهاز
passkey-here-not-now = ليس الآن

stepup-title = أكّد أنك أنت
stepup-heading = أكّد أنك أنت
stepup-app-asks = يطلب <strong>{ $app }</strong> تأكيدًا جديدًا بأحد مفاتيح المرور الخاصة بك قبل أن يتابع.
stepup-change-needs = يحتاج هذا التغيير إلى تأكيد جديد بأحد مفاتيح المرور الخاصة بك.
stepup-button = التأكيد بمفتاح مرور

passkey-required-heading = يحتاج { $app } إلى مفتاح مرور آخر
passkey-required-other-qualifies = لا يقبل <strong>{ $app }</strong> إلا مفاتيح المرور التي تستوفي سياسته <strong>{ $policy }</strong>. مفتاح المرور الذي سجّلت الدخول به لا يستوفيها؛ لكن أحد مفاتيحك الأخرى يستوفيها.
passkey-required-none-qualifies = لا يقبل <strong>{ $app }</strong> إلا مفاتيح المرور التي تستوفي سياسته <strong>{ $policy }</strong>، ولا يستوفيها أيٌّ من مفاتيحك.
passkey-required-use-one = استخدم مفتاح مرور مؤهلًا
passkey-required-add-one = لاستخدام { $app }، أضف مفتاح مرور كهذا (مثل مفتاح أمان من القائمة المعتمدة) في صفحة حسابك، ثم عد.
passkey-required-go-account = اذهب إلى حسابك

consent-heading = السماح لـ { $app }؟
consent-intro = يطلب <strong>{ $app }</strong> تسجيل دخولك باسم <strong>{ $username }</strong> والاطلاع على:
consent-allow = سماح
consent-deny = رفض
consent-withdraw = يمكنك سحب ذلك من صفحة حسابك في أي وقت.

signed-out-title = تسجيل الخروج
signed-out-confirm = تسجيل الخروج من { $instance }؟
signed-out-heading = لقد سجّلت الخروج
signed-out-again = سجّل الدخول مرة أخرى

codes-title = رموز استرداد جديدة
codes-heading = رموز الاسترداد الجديدة
codes-intro = لم تعد رموزك القديمة تعمل. يعمل كل رمز من هذه مرة واحدة. <strong>لن تظهر إلا الآن.</strong>

# What an application shows about itself on the sign-in, consent and step-up pages.
app-logo-alt = شعار { $app }
app-home = موقع { $app }
app-policy = سياسة الخصوصية
app-terms = شروط الخدمة
violation-found-unproven = طراز أداة المصادقة غير مُثبت بإثبات موثَّق.
violation-found-synced = يمكن مزامنة مفتاح المرور مع أجهزة أخرى (قابل للنسخ الاحتياطي).
violation-found-synced-unattestable = يمكن مزامنة مفتاح المرور مع أجهزة أخرى، لذا لا يمكن إثبات أداة المصادقة الخاصة به.
violation-found-attestation-unverified = لا يمكن التحقق من إثبات أداة المصادقة مقابل بيانات FIDO الوصفية لطراز مسموح به.
violation-found-no-trusted-models = لا يوجد في بيانات FIDO الوصفية المستوردة أي طراز مسموح به لأداة مصادقة له جذور إثبات.
violation-found-model-not-listed = طراز أداة المصادقة { $aaguid } ليس في القائمة.
violation-found-no-model = لا تذكر أداة المصادقة أي طراز.
violation-found-certified = الطراز حاصل على شهادة FIDO بمستوى { $level }.
violation-found-not-certified = لا تذكر البيانات الوصفية أي شهادة FIDO للطراز.
violation-found-compromised = تُبلغ بيانات FIDO الوصفية أن الطراز مخترَق ({ $reports }).
violation-found-no-registered-passkey = لم يستخدم تسجيل الدخول هذا مفتاح مرور مسجَّلًا.
violation-found-step-up-not-registered = لم يستخدم التأكيد في هذه الجلسة مفتاح مرور مسجَّلًا.
violation-found-possible-clone = ربما نُسخ مفتاح المرور.
violation-required-attested = استخدم مفتاح أمان أو أداة مصادقة مرتبطة بالجهاز يمكن التحقق من إثباتها مقابل بيانات FIDO الوصفية المستوردة.
violation-required-device-bound = استخدم مفتاح مرور مرتبطًا بالجهاز، مثل مفتاح أمان مادي، لا يغادر أداة المصادقة أبدًا.
violation-required-device-bound-in-metadata = استخدم مفتاح مرور مرتبطًا بالجهاز، مثل مفتاح أمان مادي، يكون طرازه في بيانات FIDO الوصفية المستوردة.
violation-required-allowed-model-attested = استخدم مفتاح أمان أو أداة مصادقة مرتبطة بالجهاز من طراز مسموح به، مع تفعيل الإثبات.
violation-required-metadata-import = يجب أن يستورد مسؤول ملف بيانات FIDO الوصفية (latchkey metadata import) قبل أن يمكن تسجيل مفاتيح مرور كهذه.
violation-required-allowed-model = استخدم أداة مصادقة مُثبتة من طراز مسموح به: { $models }.
violation-required-certified = استخدم أداة مصادقة مُثبتة حاصلة على شهادة FIDO بمستوى { $level } أو أعلى.
violation-required-uncompromised = استخدم أداة مصادقة من طراز لا توجد بلاغات باختراقه.
violation-required-compliant-sign-in = سجّل الدخول بمفتاح مرور يستوفي سياسة التطبيق.
violation-required-another-passkey = سجّل الدخول بمفتاح مرور آخر.
violation-required-own-passkey = أكّد بأحد مفاتيح المرور الخاصة بك.
