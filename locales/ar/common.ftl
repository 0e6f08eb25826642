## كلمات مشتركة والأخطاء والمدد ورسائل نص الصفحات البرمجي.

button-continue = متابعة
button-cancel = إلغاء
button-done = تم
button-sign-out = تسجيل الخروج
button-create-passkey = إنشاء مفتاح مرور
label-username = اسم المستخدم
label-your-name = اسمك

error-heading = تعذّر تنفيذ ذلك
error-heading-ours = حدث خطأ ما
error-back = العودة إلى البداية
error-not-found = هذه الصفحة غير موجودة.
error-sign-in-required = سجّل الدخول للمتابعة.
error-step-up-required = أكّد بمفتاح المرور الخاص بك للمتابعة.
error-too-many = محاولات كثيرة جدًا. حاول مرة أخرى بعد { $seconds } ثانية.
error-payload-too-large = نص الطلب كبير جدًا.
error-headers-too-large = ترويسات الطلب كبيرة جدًا.
error-internal = حدث خطأ ما من جهتنا.
error-malformed-form = تعذّرت قراءة النموذج. أعد تحميل الصفحة وحاول مرة أخرى.
error-malformed-address = هذا العنوان غير صالح.
error-form-expired = انتهت صلاحية النموذج؛ أعد تحميل الصفحة وحاول مرة أخرى.
error-foreign-origin = لم يأتِ الطلب من هذا الموقع.
error-account-disabled = هذا الحساب معطّل.
error-admin-required = لا يستطيع ذلك إلا المسؤول.
error-approver-required = لا يستطيع استخدام لوحة الإدارة إلا المعتمِدون والمسؤولون.
error-signup-disabled = التسجيل الذاتي غير مفعّل على هذا الخادم.
error-request-gone = انتهت صلاحية طلب تسجيل الدخول هذا. عد إلى التطبيق وابدأ من جديد.
error-client-gone = التطبيق لم يعد مسجّلًا.
error-registration-failed = تعذّر تسجيل مفتاح المرور. حاول مرة أخرى أو استخدم مفتاح مرور آخر.
error-language-unknown = اختر لغة من القائمة.

error-recovery-grant-invalid = لا يمكن لهذا الاسترداد إعداد مفتاح مرور هنا: فقد استُخدم من قبل، أو انتهت مهلته، أو يخص متصفحًا آخر.
error-recovery-other-browser = أتمّ الاسترداد في المتصفح الذي بدأ فيه.
## أخطاء نص الصفحات البرمجي حسب رمزها.
api-username-taken = اسم المستخدم هذا مأخوذ؛ اختر اسمًا آخر.
api-invalid-username = يتكون اسم المستخدم من 3 إلى 64 حرفًا: حروف وأرقام و'.' و'-' و'_' و'@'.
api-invalid-display-name = يتكون الاسم من 1 إلى 100 حرف دون محارف تحكم.
api-challenge-expired = انتهت صلاحية طلب تسجيل الدخول هذا أو استُخدم من قبل. حاول مرة أخرى.
api-wrong-account = مفتاح المرور هذا يخص حسابًا آخر.
api-clone-suspected = ربما نُسخ مفتاح المرور هذا، لذا لا يمكن استخدامه لتسجيل الدخول. استخدم مفتاح مرور آخر أو اطلب المساعدة من المسؤول.
api-last-passkey = هذا هو مفتاح مرورك الوحيد ولم تبقَ لديك رموز استرداد: أنشئ رموز استرداد جديدة أو أضف مفتاح مرور آخر أولًا.
api-user-verification-missing = لم يتحقق المصادِق من المستخدم برمز PIN أو بالقياسات الحيوية، وهذا مطلوب.
api-user-presence-missing = لم يؤكد المصادِق وجود مستخدم.
api-unknown-credential = مفتاح المرور المقدَّم غير مسجّل لدى هذه الخدمة.

duration-seconds = { $n ->
    [zero] { $n } ثانية
    [one] ثانية واحدة
    [two] ثانيتان
    [few] { $n } ثوانٍ
    [many] { $n } ثانية
   *[other] { $n } ثانية
}
duration-minutes = { $n ->
    [zero] { $n } دقيقة
    [one] دقيقة واحدة
    [two] دقيقتان
    [few] { $n } دقائق
    [many] { $n } دقيقة
   *[other] { $n } دقيقة
}
duration-hours = { $n ->
    [zero] { $n } ساعة
    [one] ساعة واحدة
    [two] ساعتان
    [few] { $n } ساعات
    [many] { $n } ساعة
   *[other] { $n } ساعة
}
duration-days = { $n ->
    [zero] { $n } يوم
    [one] يوم واحد
    [two] يومان
    [few] { $n } أيام
    [many] { $n } يومًا
   *[other] { $n } يوم
}
duration-joiner = {" و"}

scope-openid = معرّف حسابك
scope-profile = اسمك واسم المستخدم
scope-email = عنوان بريدك الإلكتروني
scope-offline-access = الوصول أثناء غيابك (رموز التحديث)
scope-other = الإذن «{ $scope }»

js-request-failed = فشل الطلب. حاول مرة أخرى.
js-cancelled = أُلغي طلب مفتاح المرور أو انتهت مهلته.
js-signing-in = جارٍ تسجيل الدخول…
js-follow-prompt = اتبع تعليمات متصفحك…
js-saving-passkey = جارٍ حفظ مفتاح المرور…
js-confirm-first = أكّد أولًا أنك أنت بمفتاح مرور لديك بالفعل…
js-now-create = أنشئ الآن مفتاح المرور الجديد…
js-link-incomplete = هذا الرابط غير مكتمل. افتحه تمامًا كما هو في الرسالة.
# The instance's support link in every page's header.
support-link = مساعدة
