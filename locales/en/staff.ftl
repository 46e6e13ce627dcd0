# Messages for staff (consultants and coordinators), sent by the Telegram adapter for the admin.

staff-admin-link = Your sign-in link for the helpline admin. It works once, within 15 minutes; please do not forward it.
    { $url }
staff-joined-consultant = Welcome to the team, { $name }! You are registered as a consultant. Women will see you as { $name }.
staff-joined-coordinator = Welcome to the team, { $name }! You are registered as a coordinator. Send /admin for a sign-in link to the admin.
staff-invite-consultant = An invite for { $name } as a consultant. Send it only to her, privately; it works once, within 48 hours.
    { $url }
staff-invite-coordinator = An invite for { $name } as a coordinator. Send it only to her, privately; it works once, within 48 hours.
    { $url }
staff-invite-usage = Write /invite and the name women will see (up to 32 characters); add "coordinator" at the end to invite a coordinator. For example: /invite Sun
