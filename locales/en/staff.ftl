# Messages for staff (consultants and coordinators), sent by the Telegram adapter for the admin.

staff-admin-link = Your sign-in link for the helpline admin. It works once, within 15 minutes; please do not forward it.
    { $url }
staff-joined-consultant = Welcome to the team, { $name }! You are registered as a consultant. Women will see you as { $name }.
staff-joined-coordinator = Welcome to the team, { $name }! You are registered as a coordinator. Send /admin for a sign-in link to the admin.
