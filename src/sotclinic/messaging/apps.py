from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "sotclinic.messaging"
    label = "messaging"
    verbose_name = "Messages"
