from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo clinic and its `demo` command; it loads through every app's services, so it
    sits above them all."""

    name = "sotclinic.demo"
    label = "demo"
