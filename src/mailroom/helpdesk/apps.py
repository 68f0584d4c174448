from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "mailroom.helpdesk"
    label = "helpdesk"
    verbose_name = "Helpdesk"
