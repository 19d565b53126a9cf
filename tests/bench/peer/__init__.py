"""The peer the product is measured against: the shoe finder as a Django shop would build it,
with django-formtools' SessionWizardView. A project of its own; it imports nothing from the app."""
