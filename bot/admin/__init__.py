"""Admin work: reindex, reports (knowledge gaps, usage), retention while serving, the App Home
admin panel, and the admin-only `/mutuals` subcommands."""
