## The admin console: navigation, guarded-action requests and approvals,
## attestation policies and recovery policies.

console-age-now = الآن
console-age-minutes = { $n } د
console-age-hours = { $n } س
console-age-days = { $n } { $n ->
    [one] يوم
    [two] يوم
    [few] أيام
   *[other] يومًا
}
console-col-request = الطلب
console-col-account = الحساب
console-col-tier = المستوى
console-col-state = الحالة
console-col-age = العمر
console-col-approvals = الموافقات
console-col-approver = المُوافِق
console-col-decision = القرار
console-col-comment = التعليق
console-col-when = الوقت
console-col-factor = العامل
console-col-verified = تاريخ التحقق
console-col-notice = الإشعار
console-col-channels = القنوات
console-col-what = الحدث
console-col-details = التفاصيل
console-col-by = بواسطة
console-col-name = الاسم
console-col-rules = القواعد
console-col-accounts = الحسابات
console-col-kind = النوع
console-col-target = الهدف
console-col-factors = العوامل
console-col-delay = مدة الانتظار
console-col-lifetime = مدة الصلاحية
console-col-revokes = يُلغي الإكمال
console-col-stored = تاريخ الحفظ
console-col-without-complying = بلا مفتاح مرور مطابق
console-col-passkeys-refused = مفاتيح المرور المرفوضة
console-col-complying = مفاتيح المرور المطابقة
console-col-refused = مفاتيح المرور المرفوضة
console-col-refused-and-fix = مفاتيح المرور المرفوضة وما يطابق السياسة
console-col-would-comply-long = مفاتيح المرور التي ستطابق
console-col-would-comply = ستطابق
console-col-would-stop-long = مفاتيح المرور التي ستتوقف عن المطابقة وما يطابق السياسة
console-col-would-stop = ستتوقف عن المطابقة
console-nav-label = وحدة تحكم الإدارة
console-nav-dashboard = لوحة المعلومات
console-nav-approvals = الموافقات
console-nav-accounts = الحسابات
console-nav-applications = التطبيقات
console-nav-keys = المفاتيح
console-nav-policies = السياسات
console-nav-recovery = الاسترداد
console-nav-audit = سجل التدقيق
console-nav-settings = الإعدادات
console-nav-branding = الهوية البصرية
console-nav-signed-in-as = تم تسجيل الدخول باسم <strong>{ $name }</strong>
console-nav-your-account = حسابك
console-title = { $page } · الإدارة — { $instance }
