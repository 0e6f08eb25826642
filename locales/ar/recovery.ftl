## استرداد الحساب وروابط الإشعارات.

recover-title = استرداد حسابك
recover-heading = فقدت مفتاح المرور؟
recover-intro = اذكر حسابك. إن كان موجودًا، يُبلَّغ فورًا كل من يتلقى إشعاراته ويمكنه الإلغاء؛ ثم تثبت أنك أنت برمز استرداد، وبعد فترة انتظار تُعدّ مفتاح مرور جديدًا على هذا الجهاز.
recover-account-label = اسم المستخدم أو عنوان البريد الإلكتروني
recover-back-to-signin = العودة إلى تسجيل الدخول
recover-keep-open = أبقِ هذا المتصفح مفتوحًا: لا يمكن إتمام الاسترداد إلا هنا.
recover-name-account = أدخل اسم المستخدم أو عنوان البريد الإلكتروني لحسابك.

recover-enrol-heading = أعدّ مفتاح مرورك الجديد
recover-enrol-intro = تم استرداد حسابك <strong>{ $username }</strong>. أنشئ مفتاح مرور على هذا الجهاز؛ ستكون بعدها مسجّل الدخول وتحصل على رموز استرداد جديدة تُعرض مرة واحدة.

recover-factor-heading = أثبت أنك أنت
recover-factor-progress = قُدّم { $given } من { $needed } إثباتات. يحتاج هذا الحساب إلى إثبات آخر من نوع مختلف.
recover-factor-code-heading = رمز استرداد
recover-factor-code-intro = أحد الرموز التي حفظتها عند إعداد حسابك. يعمل كل رمز مرة واحدة؛ خمسة رموز خاطئة توقف هذا الاسترداد.
recover-factor-code-label = رمز الاسترداد
recover-factor-code-button = استخدم هذا الرمز
recover-factor-email-heading = رابط إلى بريدك الإلكتروني
recover-factor-email-intro = إن كان للحساب عنوان بريد إلكتروني تم التحقق منه، نرسل إليه رابطًا يعمل مرة واحدة لمدة 30 دقيقة. افتحه في هذا المتصفح.
recover-factor-email-button = أرسل لي رابطًا
recover-factor-status-link = أين وصل هذا الاسترداد
recover-factor-wrong-code = { $left ->
    [one] هذا الرمز غير صحيح. بقيت محاولة واحدة قبل أن يتوقف هذا الاسترداد.
    [two] هذا الرمز غير صحيح. بقيت محاولتان قبل أن يتوقف هذا الاسترداد.
   *[other] هذا الرمز غير صحيح. بقيت { $left } محاولات قبل أن يتوقف هذا الاسترداد.
}
recover-factor-link-sent = إن كان للحساب عنوان بريد إلكتروني تم التحقق منه، فالرابط في طريقه إليه. افتحه في هذا المتصفح خلال 30 دقيقة.

recover-status-title = استرداد الحساب
recover-status-time-left = الوقت المتبقي من فترة الانتظار: <strong>{ $left }</strong>.
recover-status-approvals = الموافقات: <strong>{ $have } من { $need }</strong>.
recover-status-missing = ما زال مطلوبًا
recover-status-finish-intro = الإتمام يُنهي كل طريق آخر إلى الحساب كما تنص سياسته (مفاتيح المرور القديمة والجلسات)، ويتيح لك إعداد مفتاح مرور جديد على هذا الجهاز.
recover-status-finish-button = أعدّ مفتاح مرور جديدًا
recover-status-refresh = تتحدث هذه الصفحة تلقائيًا. أبقِها مفتوحة أو عد لاحقًا في هذا المتصفح.
recover-status-update-now = حدّث الآن
recover-missing-proof = إثبات أنك أنت: رمز استرداد أو رابط مرسل إلى بريدك الإلكتروني
recover-missing-another-proof = إثبات آخر من نوع مختلف
recover-missing-approvals = { $n ->
    [one] موافقة واحدة من أصحاب دور { $role } على هذا الخادم
    [two] موافقتان من أصحاب دور { $role } على هذا الخادم
   *[other] { $n } موافقات من أصحاب دور { $role } على هذا الخادم
}
recover-missing-identity-check = تحقق من الهوية يسجّله معتمِد
recover-state-requested-heading = بانتظار إثباتك
recover-state-requested = أُبلغ صاحب الحساب بهذا الاسترداد ويمكنه إلغاؤه. أثبت أنك أنت لبدء فترة الانتظار.
recover-state-verifying = قُدّم { $given } من { $needed } إثباتات. يحتاج هذا الحساب إلى إثبات آخر من نوع مختلف.
recover-state-waiting-heading = فترة الانتظار
recover-state-waiting = قُبل إثباتك. لا يتغير شيء حتى تنتهي فترة الانتظار، ليتسع لصاحب الحساب وقت للإلغاء.
recover-state-approvals-heading = بانتظار الموافقة
recover-state-approvals = انتهت فترة الانتظار. تتطلب سياسة هذا الحساب أيضًا أن يؤكد أشخاص من هذا الخادم الاسترداد.
recover-state-ready-heading = جاهز
recover-state-ready = كل شيء جاهز. أتمّ خلال { $left } في هذا المتصفح.
recover-state-completed-heading = تم الاسترداد
recover-state-completed-enrol = تم استرداد حسابك. أعدّ مفتاح مرورك الجديد الآن: تعمل هذه الخطوة مرة واحدة لمدة 15 دقيقة.
recover-state-completed = انتهى هذا الاسترداد.
recover-state-cancelled-heading = أُلغي
recover-state-cancelled = ألغى صاحب الحساب هذا الاسترداد. لم يتغير شيء في الحساب.
recover-state-denied-heading = رُفض
recover-state-denied = رفض أحد المعتمِدين هذا الاسترداد. لم يتغير شيء في الحساب.
recover-state-expired-heading = انتهت المهلة
recover-state-expired = انتهت مهلة هذا الاسترداد. لم يتغير شيء في الحساب؛ يمكنك البدء من جديد.
recover-state-locked-heading = متوقف
recover-state-locked = رموز استرداد خاطئة كثيرة: توقف هذا الاسترداد وأُبلغ صاحب الحساب. لم يتغير شيء في الحساب.

recovery-link-needs-script = تحتاج هذه الصفحة إلى JavaScript لقراءة الرابط.
recovery-link-cancel-heading = إلغاء هذا الطلب
recovery-link-cancel-intro = طلب أحدهم استرداد حسابك أو تغييره، وهذا الرابط يوقف ذلك. لا يحدث شيء حتى تضغط الزر.
recovery-link-cancel-button = ألغِ الطلب
recovery-link-email-heading = أكّد أنك أنت
recovery-link-email-intro = استخدم هذا الرابط إثباتًا لاسترداد حسابك. يعمل مرة واحدة، وفقط في المتصفح الذي بدأ فيه الاسترداد.
recovery-link-email-button = استخدم هذا الرابط
recovery-link-verify-heading = أكّد عنوان بريدك الإلكتروني
recovery-link-verify-intro = اضغط الزر لتأكيد أن عنوان البريد الإلكتروني هذا لك. يمكن للعنوان الذي تم التحقق منه أن يساعدك على استرداد حسابك إذا فقدت مفاتيح المرور.
recovery-link-verify-button = أكّد عنوان بريدي الإلكتروني
recovery-link-verified = تم التحقق من عنوان بريدك الإلكتروني. شكرًا لك.
recovery-link-cancelled = أُلغي الطلب. لم يتغير شيء في حسابك.
recovery-link-wrong-browser = افتح هذا الرابط في المتصفح الذي بدأت فيه الاسترداد.

action-recover-account = استرداد الحساب (فُقدت كل مفاتيح المرور)
action-add-passkey = إضافة مفتاح مرور
action-remove-passkey = إزالة مفتاح مرور
action-regenerate-codes = إنشاء رموز استرداد جديدة
action-change-email = تغيير عنوان البريد الإلكتروني
action-grant-role = منح دور
action-change-tier = تغيير مستوى الحساب
action-weaken-policy = تخفيف سياسة
action-enable-account = تفعيل الحساب مجددًا

request-state-requested = مطلوب
request-state-verifying-factors = جارٍ التحقق من الإثباتات
request-state-waiting = قيد الانتظار
request-state-awaiting-approvals = بانتظار الموافقات
request-state-ready = جاهز
request-state-completed = مكتمل
request-state-cancelled = ملغى
request-state-denied = مرفوض
request-state-expired = منتهي المهلة
request-state-locked = مقفل

## رفض محرك الاسترداد على الصفحات العامة.
refusal-expired = انتهت مهلة الطلب.
refusal-factors-incomplete = لم يُتحقق بعد من كل الإثباتات المطلوبة.
refusal-factor-kind-not-allowed = هذا النوع من الإثبات لا يُحتسب لهذا الطلب.
refusal-factor-already-verified = تم التحقق من هذا النوع من الإثبات من قبل.
refusal-not-yet-eligible = لم تنتهِ فترة الانتظار بعد.
refusal-not-owner = لا يستطيع إلغاء هذا الطلب إلا صاحب الحساب أو مقدّم الطلب.
refusal-session-mismatch = لا يمكن إتمام الطلب إلا في جلسة المتصفح التي قدّمته.
refusal-cancel-link-invalid = رابط الإلغاء هذا لم يعد صالحًا.
refusal-link-invalid = هذا الرابط لم يعد صالحًا.
refusal-grant-invalid = إذن الإعداد هذا غير صالح.
refusal-not-found = لا يوجد طلب كهذا.
refusal-account-unavailable = الحساب معطّل أو غير موجود.
refusal-locked = محاولات خاطئة كثيرة: أُقفل الطلب.
refusal-rate-limited = محاولات كثيرة جدًا؛ حاول لاحقًا.
refusal-no-verified-email = ليس للحساب عنوان بريد إلكتروني تم التحقق منه.
refusal-final = الطلب بالفعل في حالة: { $state }.
refusal-factors-complete = تم التحقق من العوامل بالفعل.
refusal-approvals-incomplete = أُعطيت { $have } من { $need } موافقات.
refusal-out-of-band-check-missing = لم يُسجَّل التحقق من الهوية عبر قناة مستقلة بعد.
refusal-approval-not-required = لا يحتاج هذا الطلب إلى موافقة.
refusal-not-yet-approvable = لا يمكن الموافقة على الطلب قبل التحقق من عوامله.
refusal-approvals-complete = حصل الطلب على كل الموافقات التي يحتاجها.
refusal-approver-is-requester = لا يمكن لمقدّم الطلب الموافقة على طلبه أو البت فيه.
refusal-approver-is-subject = لا يمكن لأحد الموافقة على طلب يخص حسابه أو البت فيه.
refusal-approver-lacks-role = لا يحمل المُوافِق الدور الذي يتطلبه هذا الطلب.
refusal-approval-not-fresh = تحقّق المُوافِق بمفتاح المرور ليس حديثًا بما يكفي.
refusal-approval-bound-elsewhere = وُقّعت الموافقة لطلب آخر.
refusal-already-approved = وافق هذا المُوافِق على هذا الطلب بالفعل.
refusal-out-of-band-not-used = لا يقبل هذا الطلب تحققًا عبر قناة مستقلة.
refusal-out-of-band-already-recorded = سُجّل تحقق عبر قناة مستقلة بالفعل.
refusal-evidence-missing = يحتاج التحقق عبر قناة مستقلة إلى وصف للدليل.
refusal-policy-cannot-be-met = تتطلب السياسة { $required } من المُوافِقين لكن { $available } فقط يمكنهم الموافقة.
refusal-wrong-factor = لم يُقبل العامل (المحاولات المتبقية: { $attempts_left }).
refusal-passkey-not-accepted = لا يُحتسب مفتاح المرور هذا لهذا الطلب.
refusal-invalid-action = التغيير المطلوب غير ممكن لهذا الحساب.
refusal-policy-not-valid = السياسة غير صالحة.
refusal-policy-unchanged = السياسة سارية بالفعل.
refusal-unknown-policy-change = لا يعرف المحرّك كيف يطبّق هذا النوع من تغييرات السياسة.
refusal-stale-policy-change = تغيّرت السياسة منذ تقديم هذا الطلب؛ اطلب التغيير مرة أخرى.
