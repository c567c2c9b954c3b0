"""Registrations of interest: one declaration of the fields (fields.py), from which the form's
validation, storage, modal, messages, CSV and CLI table are derived; the service; listeners."""
