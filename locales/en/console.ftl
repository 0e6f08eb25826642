## The admin console: accounts, applications, keys, settings, branding,
## dashboard and audit log.

