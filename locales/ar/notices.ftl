## الإشعارات المرسلة بالبريد بلغة الحساب. كل فقرة رسالة مستقلة؛
## تضيف الشيفرة الروابط والتذييل.

notice-passkey-added-subject = أُضيف مفتاح مرور إلى حسابك
notice-passkey-added = أُضيف مفتاح مرور جديد «{ $label }» إلى حسابك { $username } في { $when }.
notice-passkey-added-advice = إن لم تكن أنت، فسجّل الدخول بمفتاح مرور آخر وأبطله، ثم تواصل مع المسؤول.
notice-passkey-revoked-subject = أُزيل مفتاح مرور من حسابك
notice-passkey-revoked = أُزيل مفتاح المرور «{ $label }» من حسابك { $username } في { $when }.
notice-codes-replaced-subject = أُنشئت رموز استرداد جديدة لحسابك
notice-codes-replaced = أُنشئت رموز استرداد جديدة لحسابك { $username } في { $when }؛ ولم تعد الرموز القديمة تعمل.
notice-contact-admin = إن لم تكن أنت، فتواصل مع المسؤول فورًا.

notice-verify-subject = أكّد عنوان بريدك الإلكتروني
notice-verify = لتأكيد أن { $address } هو عنوان البريد الإلكتروني لحسابك { $username }، افتح هذا الرابط واضغط الزر في الصفحة. يعمل مرة واحدة خلال 24 ساعة:
notice-verify-why = يمكن استخدام العنوان الذي تم التحقق منه لاسترداد حسابك إذا فقدت مفاتيح المرور. إن لم تطلب ذلك فتجاهل هذه الرسالة: لا يتغير شيء حتى يُضغط الزر.

notice-what-recover-account = استرداد الحساب وتسجيل مفتاح مرور جديد (تتوقف كل مفاتيح المرور الحالية عن العمل)
notice-what-add-passkey = إضافة مفتاح مرور
notice-what-remove-passkey = إزالة مفتاح مرور
notice-what-regenerate-codes = إنشاء رموز استرداد جديدة
notice-what-change-email = تغيير عنوان البريد الإلكتروني إلى { $email }
notice-what-grant-role = منح الدور { $role }
notice-what-change-tier = تغيير مستوى الحساب إلى { $tier }
notice-what-weaken-policy = تخفيف سياسة أمان
notice-what-enable-account = تفعيل الحساب مجددًا

notice-footer = الطلب { $request } — { $instance }. أُرسلت هذه الرسالة بسبب تغيير في حسابك؛ لا يطلب { $instance } أبدًا رمز استرداد بالبريد الإلكتروني أو الهاتف.
notice-requested-subject = طلب { $what } في حسابك
notice-requested = طلب أحدهم { $what } في حسابك { $username } في { $made }.
notice-requested-limits = لا يمكن أن يكتمل قبل انقضاء فترة الانتظار بعد التحقق من الهوية، وتنتهي مهلته في { $until }. يمكنك أيضًا إلغاؤه بعد تسجيل الدخول بأحد مفاتيح المرور الخاصة بك.
notice-requested-cancel = إن لم تكن أنت، فألغِه الآن بهذا الرابط (يعمل مرة واحدة):
notice-ready-subject = يمكن الآن إتمام طلب { $what }
notice-ready = اجتاز طلب { $what } في حسابك { $username } عمليات التحقق وفترة الانتظار. يمكن إتمامه من المتصفح الذي قدّمه حتى { $until }. إن لم تكن أنت، فسجّل الدخول بمفتاح مرور وألغِه.
notice-completed-subject = اكتمل: { $what }
notice-completed = اكتمل طلب { $what } في حسابك { $username } في { $at }. إن لم تكن أنت، فتواصل مع المسؤول فورًا.
notice-cancelled-subject = أُلغي: طلب { $what }
notice-cancelled = أُلغي طلب { $what } في حسابك { $username } في { $at }. لم يتغير شيء.
notice-denied-subject = رُفض: طلب { $what }
notice-denied = رفض أحد المعتمِدين طلب { $what } في حسابك { $username } في { $at }. لم يتغير شيء.
notice-expired-subject = انتهت المهلة: طلب { $what }
notice-expired = انتهت مهلة طلب { $what } في حسابك { $username } في { $at } دون أن يكتمل. لم يتغير شيء.
notice-locked-subject = أُقفل: طلب { $what }
notice-locked = أُقفل طلب { $what } في حسابك { $username } في { $at } بعد إجابات خاطئة كثيرة. لم يتغير شيء. إن لم تكن أنت، فقد يحاول أحدهم الاستيلاء على حسابك: أبلغ المسؤول.

notice-live-ready-subject = انتهت فترة الانتظار لطلب { $what }
notice-live-ready-codes = اجتاز طلب { $what } في حسابك { $username } فترة الانتظار. سجّل الدخول وافتح صفحة حسابك لرؤية الرموز الجديدة مرة واحدة قبل { $until }. إن لم تكن أنت، فسجّل الدخول بمفتاح مرور وألغِه.
notice-live-ready = اجتاز طلب { $what } في حسابك { $username } فترة الانتظار وأصبح نافذًا الآن.
notice-live-cancel = إن لم تكن أنت، فلدى أحدهم جلسة في حسابك: ألغِ التغيير الآن بهذا الرابط (يعمل مرة واحدة)، ثم سجّل الدخول وسجّل الخروج من جلساتك الأخرى:
notice-live-added-subject = أُضيف مفتاح مرور جديد إلى حسابك
notice-live-added = سُجّل مفتاح مرور جديد في حسابك { $username } في { $made } من جلسة مسجّلة الدخول بأحد مفاتيح المرور الخاصة بك. يبقى غير نشط حتى { $effective }، ثم يعمل لتسجيل الدخول. الإلغاء يحذفه.
notice-live-added-approvals = سُجّل مفتاح مرور جديد في حسابك { $username } في { $made } من جلسة مسجّلة الدخول بأحد مفاتيح المرور الخاصة بك. يبقى غير نشط حتى { $effective } وحتى { $n ->
    [one] يوافق عليه معتمِد من مؤسستك
   *[other] يوافق عليه { $n } من معتمِدي مؤسستك
}، ثم يعمل لتسجيل الدخول. الإلغاء يحذفه.
notice-live-requested-subject = حسابك: طلب { $what }
notice-live-requested = طلبت جلسة مسجّلة الدخول إلى حسابك { $username } في { $made } { $what }. يصبح نافذًا في { $effective } ما لم تلغه قبل ذلك.
notice-live-requested-approvals = طلبت جلسة مسجّلة الدخول إلى حسابك { $username } في { $made } { $what }. يصبح نافذًا في { $effective } بعد أن { $n ->
    [one] يوافق عليه معتمِد من مؤسستك
   *[other] يوافق عليه { $n } من معتمِدي مؤسستك
}، ما لم تلغه قبل ذلك.

notice-link-subject = أكّد الطلب في حسابك { $username }
notice-link = لتأكيد طلب ({ $action }) في حسابك { $username }، افتح هذا الرابط في المتصفح الذي قدّم الطلب (يعمل مرة واحدة لمدة 30 دقيقة):
notice-link-ignore = إن لم تطلب ذلك، فتجاهل هذه الرسالة وسجّل الدخول لإلغاء الطلب.
