"""Conversations between an employer and a graduate: a message thread per application, and the
employer's invitation to apply sent to an (anonymous) recommended candidate."""
