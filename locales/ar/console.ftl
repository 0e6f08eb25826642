## The admin console: accounts, applications, keys, settings, branding,
## dashboard and audit log.


## كلمات مشتركة

admin-days = { $n ->
    [one] يوم واحد
    [two] يومان
    [few] { $n } أيام
   *[other] { $n } يومًا
}
admin-disabled = معطَّل
admin-groups = المجموعات
admin-none = لا شيء
admin-never = أبدًا
admin-tier-standard = عادي
admin-tier-elevated = مرتفع
admin-tier-critical = حرج
admin-role-admin = مسؤول
admin-role-approver = مُوافِق
admin-save = حفظ
admin-col-username = اسم المستخدم
admin-col-email = البريد الإلكتروني
admin-col-roles = الأدوار
admin-col-model = الطراز
admin-col-attestation = التصديق
admin-col-added = تاريخ الإضافة
admin-col-last-used = آخر استخدام
admin-col-device = الجهاز
admin-col-address = العنوان
admin-col-signed-in = تسجيل الدخول
admin-col-last-active = آخر نشاط
admin-col-application = التطبيق
admin-col-scopes = النطاقات
admin-col-allowed = تاريخ السماح
admin-col-made = تاريخ التقديم
admin-col-actor = المنفِّذ
admin-col-subject = المعنيّ
admin-col-detail = التفاصيل

## حالات الرفض

admin-refusal-accounts = الحسابات مخصصة للمسؤولين.
admin-refusal-applications = التطبيقات مخصصة للمسؤولين.
admin-refusal-keys = مفاتيح التوقيع مخصصة للمسؤولين.
admin-refusal-settings = الإعدادات مخصصة للمسؤولين.
admin-refusal-branding = الهوية البصرية مخصصة للمسؤولين.
admin-refusal-dashboard = لوحة المعلومات مخصصة للمسؤولين.
admin-refusal-audit = سجل التدقيق مخصص للمسؤولين.
admin-refusal-search-too-long = ابحث بما لا يزيد على 100 حرف من اسم أو عنوان.
admin-refusal-choose-group-list = اختر مجموعة من القائمة.
admin-refusal-invitation-days = تكون الدعوة صالحة لمدة يوم واحد أو 3 أيام أو 7 أيام.
admin-refusal-choose-tier = اختر المستوى العادي أو المرتفع أو الحرج.
admin-refusal-choose-groups = اختر مجموعات من القائمة.
admin-refusal-choose-role = اختر دور المسؤول أو دور المُوافِق.
admin-refusal-group-change = أضف إلى مجموعة أو أزل منها.
admin-refusal-choose-group = اختر مجموعة.
admin-refusal-no-such-group = لا توجد مجموعة بهذا الاسم.
admin-refusal-overlap = يمكن أن يظل السرّ القديم صالحًا لمدة 0 أو ساعة واحدة أو 24 ساعة أو 7 أيام.
admin-refusal-self-signup = التسجيل الذاتي إما مفتوح وإما مغلق.
admin-refusal-refresh-lifetime = تتراوح صلاحية رمز التحديث بين ساعة واحدة و2160 ساعة (90 يومًا).

## الحسابات

admin-users-title = الحسابات
admin-users-search-label = الاسم أو عنوان البريد الإلكتروني
admin-users-group = المجموعة
admin-users-any-group = أي مجموعة
admin-users-search = بحث
admin-users-none = لا توجد حسابات بعد: ادعُ الأشخاص باستخدام <code>latchkey user invite</code>.
admin-users-no-match = لا يوجد حساب مطابق.
admin-users-more = مزيد من الحسابات
admin-invite-summary = دعوة شخص
admin-invite-email = عنوان البريد الإلكتروني
admin-invite-valid-for = صالحة لمدة
admin-invite-administrator = مسؤول (فقط ما دام عدد المسؤولين أقل من ثلاثة)
admin-invite-create = إنشاء رابط الدعوة
admin-invited-title = دعوة
admin-invited-heading = دعوة إلى { $email }
admin-invited-administrator = حساب <strong>مسؤول</strong>.
admin-invited-tier = يبدأ الحساب في المستوى <strong id="invited-tier">{ $tier }</strong>.
admin-invited-link = يعمل الرابط مرة واحدة، حتى { $expires }. لا يرسله Latchkey: سلّمه بنفسك إلى { $email } عبر قناة تثق بها. لا يُعرض إلا الآن.
admin-invited-back = العودة إلى الحسابات

## حساب واحد

admin-back-accounts = → الحسابات
admin-user-see-request = عرض الطلب
admin-user-read-only = لا تتغير مفاتيح المرور ورموز الاسترداد والعنوان والأدوار إلا عن طريق صاحب الحساب أو بطلب محمي بفترات انتظاره وموافقاته؛ ولا يمكن لوحدة التحكم إضافة بيانات اعتماد أو إعادة تعيينها.
admin-user-roles-tier = الأدوار والمستوى
admin-user-roles-tier-intro = منح دور أو تغيير المستوى تغيير محمي: يفتح طلبًا يسري بعد فترة الانتظار وموافقات الأشخاص الآخرين التي يتطلبها مستوى { $username }. يُبلَّغ { $username } مع رابط للإلغاء.
admin-user-grant-admin = منح دور المسؤول
admin-user-grant-approver = منح دور المُوافِق
admin-user-change-tier = تغيير المستوى
admin-user-no-group = { $username } ليس في أي مجموعة.
admin-user-group-remove = إزالة
admin-user-add-to = إضافة إلى
admin-user-group-add = إضافة
admin-user-groups-note = تسري الإضافة فورًا. أما مغادرة مجموعة مرتبطة بسياسة تصديق فستخفف ما ينطبق على { $username }: افصل السياسة أولًا.
admin-user-enable-note = إعادة تفعيل { $username } تغيير محمي: يسري بعد أن يوافق عليه أشخاص آخرون.
admin-user-enable = طلب تفعيل { $username }
admin-user-disable-note = يسري التعطيل فورًا: تنتهي كل جلسات { $username }، وتتوقف رموز التحديث والوصول التي تحملها التطبيقات لهذا الحساب. أما إعادة التفعيل فتغيير محمي يوافق عليه مسؤولون آخرون.
admin-user-disable = تعطيل { $username }
admin-user-passkeys = مفاتيح المرور
admin-user-passkeys-none = لا يوجد مفتاح مرور نشط: لا يستطيع صاحب الحساب العودة إلا عبر استرداد الحساب.
admin-user-clone-suspected = ربما نُسخ: مرفوض حتى تُزال العلامة
admin-user-sessions = الجلسات
admin-user-sessions-none = غير مسجّل الدخول في أي مكان.
admin-user-end-session = إنهاء الجلسة
admin-user-consents = التطبيقات المسموح بها
admin-user-consents-none = لم تُمنح أي موافقة: لا تُستخدم إلا التطبيقات التي لا تحتاج إلى موافقة (تطبيقات الجهة نفسها).
admin-user-requests = الاسترداد والتغييرات المحمية
admin-user-requests-none = لم يُقدَّم أي طلب لهذا الحساب.
admin-user-events = أحدث أحداث التدقيق
admin-user-events-none = لا يذكر أي حدث تدقيق هذا الحساب.
admin-user-all-events = كل الأحداث المتعلقة بـ{ $username }
admin-fact-display-name = الاسم المعروض
admin-fact-email = البريد الإلكتروني
admin-fact-tier = المستوى
admin-fact-roles = الأدوار
admin-fact-created = تاريخ الإنشاء
admin-fact-live-sessions = الجلسات النشطة
admin-fact-disabled = تاريخ التعطيل
admin-user-email-verified = { $email } (تم التحقق)
admin-user-email-not-verified = { $email } (لم يتم التحقق)
admin-user-tier-pinned = { $tier } (حدده مسؤول)
admin-user-unknown-model = طراز غير معروف
admin-user-attestation-verified = تم التحقق
admin-user-attestation-verified-format = تم التحقق ({ $format })
admin-flash-user-disabled = تم تعطيل الحساب: انتهت جلساته ورموز التحديث ورموز الوصول الخاصة به.
admin-flash-group-added = تمت الإضافة إلى المجموعة.
admin-flash-group-removed = تمت الإزالة من المجموعة.
admin-flash-session-ended = انتهت الجلسة، ومعها رموز التحديث والوصول التي حملتها التطبيقات من خلالها.
admin-flash-requested = الطلب مفتوح: يسري بعد انقضاء فترة الانتظار وموافقة أشخاص آخرين.

## أنواع أحداث التدقيق كما تسميها صفحة التدقيق

admin-event-instance-initialised = تهيئة المثيل
admin-event-instance-master-key-created = إنشاء المفتاح الرئيسي
admin-event-signing-key-created = إنشاء مفتاح توقيع
admin-event-signing-key-activated = تفعيل مفتاح توقيع
admin-event-signing-key-retired = إيقاف مفتاح توقيع
admin-event-admin-bootstrap-issued = إصدار رابط المسؤول الأول
admin-event-admin-bootstrapped = إعداد المسؤول الأول
admin-event-user-created = إنشاء حساب
admin-event-user-disabled = تعطيل حساب
admin-event-user-enabled = تفعيل حساب
admin-event-user-role-granted = منح دور
admin-event-user-tier-changed = تغيير المستوى
admin-event-invitation-created = إنشاء دعوة
admin-event-invitation-accepted = قبول دعوة
admin-event-passkey-registered = إضافة مفتاح مرور
admin-event-passkey-renamed = إعادة تسمية مفتاح مرور
admin-event-passkey-revoked = إبطال مفتاح مرور
admin-event-passkey-clone-suspected = اشتباه في نسخ مفتاح مرور
admin-event-passkey-clone-flag-cleared = إزالة علامة النسخ
admin-event-sign-in-succeeded = تسجيل دخول
admin-event-sign-in-failed = رفض تسجيل دخول
admin-event-sessions-revoked = إنهاء الجلسات
admin-event-session-ended = إنهاء جلسة
admin-event-recovery-codes-generated = رموز استرداد جديدة
admin-event-recovery-codes-used = استخدام رمز استرداد
admin-event-client-created = تسجيل تطبيق
admin-event-client-updated = تعديل تطبيق
admin-event-client-secret-rotated = تجديد سرّ تطبيق
admin-event-audit-exported = تصدير سجل التدقيق
admin-event-console-refused = رفض الوصول إلى وحدة التحكم
admin-event-guarded-action-requested = تقديم طلب
admin-event-guarded-action-transitioned = تغيّر حالة الطلب
admin-event-guarded-action-approval-recorded = تسجيل موافقة
admin-event-guarded-action-oob-recorded = تسجيل تحقق عبر قناة أخرى
admin-event-guarded-action-factor-verified = التحقق من عامل
admin-event-guarded-action-factor-failed = عامل خاطئ
admin-event-guarded-action-cancelled = إلغاء طلب
admin-event-guarded-action-denied = رفض طلب
admin-event-guarded-action-expired = انتهاء صلاحية طلب
admin-event-guarded-action-locked = قفل طلب
admin-event-guarded-action-completed = إتمام طلب
admin-event-guarded-action-notified = إرسال إشعار
admin-event-enrolment-grant-issued = إصدار إذن تسجيل
admin-event-enrolment-grant-redeemed = استخدام إذن تسجيل
admin-event-policy-changed = تغيير سياسة التغييرات المحمية
admin-event-recovery-policy-initialised = إعداد سياسة الاسترداد
admin-event-recovery-policy-changed = تغيير سياسة الاسترداد
admin-event-setting-changed = تغيير إعداد
admin-event-refresh-family-revoked = إنهاء جلسات التطبيقات
admin-event-consent-granted = منح موافقة
admin-event-consent-revoked = سحب موافقة
admin-event-metadata-imported = استيراد بيانات المصادِقات الوصفية
admin-event-attestation-policy-saved = حفظ سياسة التصديق
admin-event-attestation-policy-assigned = إسناد سياسة التصديق
admin-event-attestation-policy-unassigned = إزالة سياسة التصديق
admin-event-group-created = إنشاء مجموعة
admin-event-group-member-added = إضافة إلى مجموعة
admin-event-group-member-removed = إزالة من مجموعة
admin-event-email-verification-sent = إرسال رسالة تحقق
admin-event-email-verified = التحقق من عنوان البريد الإلكتروني
admin-event-other = حدث آخر

## التطبيقات

admin-enabled = مفعَّل
admin-hours = { $n ->
    [one] ساعة واحدة
    [two] ساعتان
    [few] { $n } ساعات
   *[other] { $n } ساعة
}
admin-refusal-unknown-policy = سياسة التصديق: لا توجد سياسة بهذا الاسم.
admin-refusal-min-level = الحد الأدنى للمستوى: اختر لا شيء أو phr أو phrh.
admin-clients-title = التطبيقات
admin-clients-nothing-registered = لم يُسجَّل أي شيء.
admin-clients-register-summary = تسجيل تطبيق
admin-clients-public = عميل عام (تطبيق أصلي أو تطبيق متصفح بلا سرّ؛ PKCE)
admin-clients-alg = خوارزمية توقيع رمز الهوية
admin-clients-register = تسجيل
admin-clients-none = لا توجد تطبيقات بعد. سجّل تطبيقًا هنا أو باستخدام <code>latchkey client create</code>.
admin-col-type = النوع
admin-col-min-level = الحد الأدنى للمستوى
admin-col-consent = الموافقة
admin-client-kind-public = عام
admin-client-kind-confidential = سرّي
admin-client-type-public = عام (بلا سرّ؛ PKCE)
admin-client-consent-asked = تُطلب
admin-client-consent-not-asked = لا تُطلب (تطبيق الجهة نفسها)
admin-field-name = الاسم
admin-field-redirect-uris = عناوين إعادة التوجيه
admin-field-logout-uris = عناوين إعادة التوجيه بعد الخروج
admin-field-alg = خوارزمية رمز الهوية
admin-field-scopes = النطاقات
admin-field-resources = الموارد
admin-field-application = التطبيق
admin-back-clients = → التطبيقات
admin-client-nothing-changed = لم يتغير أي شيء.
admin-client-settings = الإعدادات
admin-client-fixed = نوع العميل (عام أو سرّي) وخوارزمية رمز الهوية ثابتان: سجّل تطبيقًا جديدًا لتغييرهما.
admin-client-presentation = كيف يراه الناس
admin-client-presentation-intro = يُعرض في صفحات تسجيل الدخول والموافقة والتأكيد. يجب أن تستخدم الروابط https. يُجلب الشعار (PNG أو SVG، بحد أقصى 100 كيلوبايت) مرة واحدة عند حفظ عنوانه، ويُقدَّم من هنا: لا تتصل متصفحات الناس بموقع التطبيق لأجله أبدًا.
admin-client-logo-alt = شعار { $name }
admin-client-logo-uri = عنوان الشعار
admin-client-home-page = الصفحة الرئيسية
admin-client-privacy-policy = سياسة الخصوصية
admin-client-terms = شروط الخدمة
admin-client-secret = السرّ
admin-client-rotate-intro = يُعرض السرّ الجديد مرة واحدة. إلى أن يُعاد إعداد التطبيق، يمكن أن يظل السرّ الحالي صالحًا لبعض الوقت؛ وبعد أي تسريب اختر «إيقاف الآن».
admin-client-overlap = يظل السرّ الحالي صالحًا لمدة
admin-client-overlap-stop = إيقاف الآن
admin-client-rotate = تجديد السرّ
admin-client-access = الوصول
admin-client-enable-note = يتيح التفعيل للتطبيق تسجيل دخول الناس من جديد؛ أما الأذونات التي انتهت فتبقى منتهية.
admin-client-enable = تفعيل { $name }
admin-client-disable-note = يسري التعطيل فورًا: لا يستطيع أحد تسجيل الدخول إلى { $name }، ويتوقف كل رمز تحديث ووصول يحمله.
admin-client-disable = تعطيل { $name }
admin-fact-client-id = معرّف العميل
admin-fact-type = النوع
admin-fact-authentication = المصادقة
admin-fact-alg = خوارزمية رمز الهوية
admin-fact-status = الحالة
admin-fact-previous-secret = يُقبل السرّ السابق حتى
admin-flash-client-updated = تم حفظ إعدادات التطبيق.
admin-flash-client-presented = تم الحفظ: تعرضه صفحات تسجيل الدخول والموافقة من الآن.
admin-flash-client-disabled = تم تعطيل التطبيق: لم يعد يستطيع تسجيل دخول أحد، وانتهى كل رمز كان يحمله.
admin-flash-client-enabled = تم تفعيل التطبيق من جديد. تبقى أذوناته السابقة منتهية: يسجّل مستخدموه الدخول من جديد.
admin-form-name = الاسم (يُعرض للناس في صفحة الموافقة)
admin-form-redirect-uris = عناوين إعادة التوجيه، عنوان في كل سطر (تُطابَق حرفيًا؛ https، أو http على localhost)
admin-form-logout-uris = عناوين إعادة التوجيه بعد الخروج، عنوان في كل سطر (اختياري)
admin-form-min-acr = الحد الأدنى لمستوى تسجيل الدخول
admin-form-acr-any = أي مفتاح مرور
admin-form-acr-phr = phr — مفتاح مرور مع تحقق من المستخدم
admin-form-acr-phrh = phrh — مفتاح مرور مرتبط بالجهاز وموثَّق
admin-form-scopes = النطاقات التي يجوز منحها له، مفصولة بمسافات
admin-form-resources = الموارد (RFC 8707) التي يجوز له طلب رموز لها، مورد في كل سطر (اختياري)
admin-form-first-party = تطبيق الجهة نفسها: لا يُطلب من الناس الموافقة
admin-form-policy = سياسة التصديق (يجب أن يستوفيها مفتاح المرور المستخدم لتسجيل الدخول)
admin-form-policy-none = لا شيء
admin-form-policy-note = إزالة السياسة أو اختيار سياسة أخف يتطلب موافقة: يفتح الحفظ طلبًا.
admin-secret-registered = تم تسجيل { $name }
admin-secret-new = سرّ جديد لـ{ $name }
admin-secret-shown-once = لا يُعرض سرّ العميل إلا الآن؛ لا يحتفظ Latchkey إلا بقيمة التجزئة الخاصة به. ضعه في إعدادات التطبيق.
admin-secret-previous-until = يظل السرّ السابق صالحًا حتى { $until }.
admin-secret-previous-ended = لم يعد السرّ السابق صالحًا.
admin-secret-public = لا سرّ للعميل العام: يسجّل دخول الناس باستخدام PKCE.
admin-secret-back = العودة إلى { $name }

## مفاتيح التوقيع

admin-keys-title = مفاتيح التوقيع
admin-keys-intro = يوقّع المفتاح النشط لكل خوارزمية الرموز الجديدة؛ والمفتاح التالي منشور مسبقًا كي تعرفه التطبيقات قبل أن يوقّع؛ ويبقى المفتاح المتقاعد منشورًا حتى تنتهي صلاحية الرموز التي وقّعها.
admin-keys-none = لا يوجد مفتاح توقيع بعد: يُنشأ الأول عند تشغيل الخادم.
admin-col-key-id = معرّف المفتاح
admin-col-algorithm = الخوارزمية
admin-col-created = تاريخ الإنشاء
admin-col-signing-since = يوقّع منذ
admin-col-published-until = منشور حتى
admin-key-active = نشط
admin-key-next = التالي
admin-key-retired = متقاعد
admin-key-not-yet = ليس بعد
admin-key-while-in-use = ما دام قيد الاستخدام
admin-keys-rotate-intro = يرقّي التجديد المفتاح التالي لكل خوارزمية، ويُقاعد المفتاح النشط، وينشر مفتاحًا تاليًا جديدًا — مثل <code>latchkey keys rotate</code>.
admin-keys-rotate = التجديد الآن
admin-flash-keys-rotated = تم التجديد: يوقّع المفتاح التالي الرموز الجديدة الآن؛ ويبقى المفتاح النشط السابق منشورًا حتى تنتهي صلاحية الرموز التي وقّعها. تلتقط الخوادم الأخرى التغيير خلال دقيقة.

## الإعدادات

admin-settings-title = الإعدادات
admin-settings-intro = تسري هذه فورًا، على كل خادم، دون إعادة تشغيل. يحدد ملف الإعدادات قيمة الإعداد إلى أن تُغيَّر هنا أول مرة؛ ومن ثم تسري القيمة المحددة هنا.
admin-settings-self-signup = التسجيل الذاتي
admin-settings-self-signup-intro = يستطيع كل من يفتح صفحة التسجيل إنشاء حساب دون دعوة.
admin-settings-open = مفتوح
admin-settings-closed = مغلق: الحسابات بالدعوة فقط
admin-settings-refresh = رموز التحديث
admin-settings-refresh-hours = مدة صلاحية رمز التحديث الخاص بالتطبيق بعد تسجيل الدخول، بالساعات (من 1 إلى 2160، أي 90 يومًا)
admin-settings-refresh-note = يسري على عمليات تسجيل الدخول من الآن؛ وتحتفظ رموز التحديث الصادرة قبل ذلك بمدة صلاحيتها. تدوم رموز الوصول والهوية دائمًا 10 دقائق.
admin-flash-settings-saved = تم الحفظ: يسري من الطلب التالي.

## الهوية البصرية

admin-branding-title = الهوية البصرية
admin-branding-intro = الاسم واللون والشعار ورابط الدعم في كل صفحة، لكل تطبيق يسجّل دخول الناس هنا. تسري فورًا على كل خادم. يحددها جدول <code>[branding]</code> في ملف الإعدادات إلى أن تُغيَّر هنا أول مرة.
admin-branding-colour = اللون الأساسي <span class="muted">(⁦#rrggbb⁩؛ اتركه فارغًا للون المدمج)</span>
admin-branding-colour-help = تحمل الأزرار نصًا أبيض على هذا اللون، لذا يجب أن يعطي نسبة تباين لا تقل عن 4.5:1 ‏(WCAG AA)؛ ويُرفض اللون الأفتح.
admin-branding-support = رابط الدعم <span class="muted">(اختياري)</span>
admin-branding-logo = الشعار <span class="muted">(PNG أو SVG، بحد أقصى 100 كيلوبايت)</span>
admin-branding-logo-alt = الشعار الحالي
admin-branding-no-logo = لا يوجد شعار بعد: تعرض الصفحات الاسم وحده.
admin-branding-remove-logo = إزالة الشعار
admin-flash-branding-saved = تم الحفظ: تعرضه كل صفحة من الآن.

## لوحة المعلومات

admin-decimal-separator = ٫
admin-dashboard-title = لوحة المعلومات
admin-dashboard-catching-up = ما زالت عمليات تسجيل الدخول المسجلة في اللحظات الأخيرة قيد العدّ؛ أعد تحميل الصفحة بعد دقيقة للحصول على أرقام كاملة.
admin-dashboard-nothing = لم يُسجَّل شيء بعد.
admin-dashboard-as-table = الأرقام في جدول
admin-dashboard-sign-ins = عمليات تسجيل الدخول، آخر 30 يومًا
admin-dashboard-refused = عمليات تسجيل الدخول المرفوضة، آخر 30 يومًا
admin-dashboard-awaiting = طلبات بانتظار الموافقة
admin-dashboard-median = الوقت الوسيط لإتمام طلب
admin-dashboard-none-completed = لم يكتمل أي طلب بعد
admin-dashboard-minutes = { $n } د
admin-dashboard-hours = { $n } س
admin-dashboard-days = { $n } يوم
admin-dashboard-device-bound-attested = مرتبط بالجهاز، موثَّق
admin-dashboard-flow-autofill = الملء التلقائي
admin-dashboard-flow-modal = نافذة الحوار
admin-dashboard-flow-cross-device = عبر جهاز آخر
admin-dashboard-flow-other = أخرى
admin-dashboard-flow-refused = مرفوض
admin-chart-adoption = الاعتماد
admin-chart-invited = مدعوون
admin-chart-enrolled = مسجَّلون
admin-chart-two-or-more = مفتاحا مرور أو أكثر
admin-chart-recovery-codes = رموز استرداد محفوظة
admin-chart-sign-ins = عمليات تسجيل الدخول يوميًا حسب الطريقة، والمرفوضة
admin-chart-day = اليوم
admin-chart-failures = أهم أسباب رفض تسجيل الدخول (30 يومًا)
admin-chart-passkey-kinds = مفاتيح المرور حسب النوع
admin-chart-passkey-models = مفاتيح المرور حسب الطراز
admin-chart-requests = طلبات الاسترداد والتغييرات المحمية حسب الحالة
admin-unit-accounts = حسابات
admin-unit-sign-ins = عمليات تسجيل دخول
admin-unit-passkeys = مفاتيح مرور
admin-unit-requests = طلبات

## سجل التدقيق

admin-audit-title = سجل التدقيق
admin-audit-intro = كل حدث أمني، الأحدث أولًا. كل صف مربوط بالصف الذي قبله بتجزئة ذات مفتاح، فيظهر أي صف مُعدَّل أو مُدرَج أو محذوف عند التحقق من السلسلة.
admin-audit-verdict-intact = السلسلة سليمة. { $summary }
admin-audit-verdict-broken = السلسلة مكسورة. { $summary }
admin-audit-any = الكل
admin-audit-actor-placeholder = معرّف الحساب، cli، system
admin-audit-subject-placeholder = معرّف الحساب أو العميل
admin-audit-from = من (UTC)
admin-audit-until = حتى (UTC)
admin-audit-request-placeholder = معرّف طلب التغيير المحمي
admin-audit-filter = تصفية
admin-audit-export-jsonl = تصدير JSON Lines
admin-audit-export-csv = تصدير CSV
admin-audit-verify = التحقق من السلسلة
admin-audit-none = لا توجد أحداث تدقيق مطابقة.
admin-audit-older = أحداث أقدم
admin-refusal-bad-actor = هذا ليس منفِّذًا صالحًا.
admin-refusal-bad-subject = هذا ليس معنيًّا صالحًا.
admin-refusal-bad-request-id = هذا ليس معرّف طلب صالحًا.
admin-refusal-bad-from = وقت «من» ليس تاريخًا (2026-12-01) ولا تاريخًا ووقتًا (2026-12-01T14:30).
admin-refusal-bad-until = وقت «حتى» ليس تاريخًا (2026-12-01) ولا تاريخًا ووقتًا (2026-12-01T14:30).
admin-refusal-bad-kind = هذا ليس نوعًا من أحداث التدقيق.
admin-refusal-from-after-until = يجب أن يكون وقت «من» قبل وقت «حتى».
admin-refusal-bad-position = هذا ليس موضعًا في سجل التدقيق.

## رفض تسجيل تطبيق (بعد اسم الحقل)

admin-reg-invalid-name = يجب أن يتكون الاسم من 1 إلى { $max } حرف دون أحرف تحكم
admin-reg-no-redirect-uri = يلزم عنوان إعادة توجيه واحد على الأقل
admin-reg-too-many-redirect-uris = لا يمكن تسجيل أكثر من { $max } عنوان إعادة توجيه
admin-reg-redirect-uri-refused = عنوان إعادة التوجيه { $uri } مرفوض: { $reason }
admin-reg-logout-uri-refused = عنوان إعادة التوجيه بعد الخروج { $uri } مرفوض: { $reason }
admin-reg-redirect-uri-twice = عنوان إعادة التوجيه { $uri } مذكور مرتين
admin-reg-unsupported-alg = خوارزمية رمز الهوية { $alg } غير مدعومة؛ استخدم ES256 أو RS256 أو EdDSA
admin-reg-invalid-scope = { $scope } ليست قيمة نطاق صالحة: استخدم من 1 إلى { $max } حرفًا من أحرف ASCII القابلة للطباعة دون مسافات أو علامات اقتباس أو شرطات مائلة عكسية (RFC 6749 §3.3)
admin-reg-too-many-scopes = لا يمكن تسجيل أكثر من { $max } نطاقًا
admin-reg-scope-twice = النطاق { $scope } مذكور مرتين
admin-reg-resource-refused = المورد { $uri } مرفوض: { $reason }
admin-reg-too-many-resources = لا يمكن تسجيل أكثر من { $max } موردًا
admin-reg-resource-twice = المورد { $uri } مذكور مرتين
admin-redirect-empty = عنوان إعادة التوجيه فارغ
admin-redirect-too-long = عنوان إعادة التوجيه أطول من { $max } حرف
admin-redirect-forbidden-character = يحتوي عنوان إعادة التوجيه على مسافة أو حرف تحكم أو شرطة مائلة عكسية
admin-redirect-not-absolute = عنوان إعادة التوجيه ليس عنوانًا مطلقًا
admin-redirect-fragment = يحتوي عنوان إعادة التوجيه على جزء (#…)، وهو ما يمنعه RFC 6749 §3.1.2
admin-redirect-userinfo = يحمل عنوان إعادة التوجيه اسم مستخدم أو كلمة مرور
admin-redirect-insecure-http = لا يُسمح بـ http العادي إلا لمضيفات الاسترجاع (localhost و127.0.0.1 و[::1])؛ استخدم https
admin-redirect-missing-host = لا يحتوي عنوان إعادة التوجيه على مضيف
admin-redirect-unsupported-scheme = المخطط { $scheme } غير مسموح به: استخدم https، أو http على مضيف استرجاع، أو مخططًا خاصًا بصيغة النطاق المعكوس (com.example.app:/callback)
admin-resource-empty = عنوان المورد فارغ
admin-resource-too-long = عنوان المورد أطول من { $max } حرف
admin-resource-forbidden-character = يحتوي عنوان المورد على مسافة أو حرف تحكم أو علامة اقتباس أو أقواس زاوية أو شرطة مائلة عكسية
admin-resource-not-absolute = عنوان المورد ليس عنوانًا مطلقًا
admin-resource-fragment = يحتوي عنوان المورد على جزء (#…)، وهو ما يمنعه RFC 8707 §2
admin-resource-userinfo = يحمل عنوان المورد اسم مستخدم أو كلمة مرور
admin-resource-missing-host = لا يحتوي عنوان المورد على مضيف
admin-resource-insecure-http = لا يُسمح بـ http العادي إلا لـ localhost ‏(localhost و127.0.0.1 و[::1])؛ استخدم https
admin-resource-unsupported-scheme = المخطط { $scheme } غير مسموح به لمورد: استخدم https (أو http على localhost)

## رفض قيمة من قيم الهوية البصرية

admin-branding-refused-name = يجب أن يتكون الاسم من 1 إلى { $max } حرفًا، دون أحرف تحكم.
admin-branding-refused-colour = ‏{ $colour } ليس لونًا: اكتبه بالصيغة ⁦#rrggbb⁩، مثل ⁦#1f4fd1⁩.
admin-branding-refused-contrast = يعطي اللون { $colour } نص الأزرار الأبيض نسبة تباين { $ratio }:1؛ ويتطلب WCAG AA ما لا يقل عن 4.5:1. اختر لونًا أغمق.
admin-branding-refused-support-url = ‏{ $url } ليس رابط دعم: أدخل عنوان https (أو http إلى هذا الجهاز فقط)، دون اسم مستخدم أو كلمة مرور، بما لا يزيد على 512 حرفًا.
admin-branding-refused-logo-size = حجم الشعار { $bytes } بايت؛ والحد الأقصى المقبول 102400 بايت (100 كيلوبايت).
admin-branding-refused-logo-type = يجب أن يكون الشعار صورة PNG أو SVG.
admin-branding-refused-logo-pixels = أبعاد شعار PNG هي { $width }×{ $height } بكسل؛ والحد الأقصى المقبول 1024×1024.
admin-branding-refused-svg = يحتوي شعار SVG على { $what }، وهذا غير مقبول: تُرفض البرامج النصية ومعالجات الأحداث والمستندات المضمَّنة والروابط إلى مواقع أخرى.
admin-svg-script = برنامج نصي
admin-svg-javascript = رابط javascript:
admin-svg-foreign-object = شيفرة HTML مضمَّنة (foreignObject)
admin-svg-embedded-document = مستند مضمَّن
admin-svg-entity = تعريف كيان
admin-svg-doctype = تعريف نوع مستند
admin-svg-import = استيراد ورقة أنماط
admin-svg-link = رابط إلى موقع آخر
admin-svg-data-url = عنوان data: مضمَّن
admin-svg-event-handler = معالج أحداث (سمة on…)
admin-invite-refused-email = هذا ليس عنوان بريد إلكتروني.
admin-invite-refused-account-exists = يوجد حساب بهذا العنوان. تُنشئ الدعوات حسابات جديدة؛ أما مفتاح المرور المفقود فيُستعاد عبر استرداد الحساب.
admin-invite-refused-founding-admins = لهذا الخادم مسؤولوه المؤسسون. يُمنح المسؤولون الآخرون الدور عبر طلب محمي يوافق عليه مسؤولون آخرون.
