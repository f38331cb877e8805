"""Authorisation, above the domains' models and rules and below their services and endpoints:
who may do what to which object (:mod:`service.auth.guards`) and the same rules as SQL for lists
(:mod:`service.auth.scoping`). Rules that belong to one domain stay there and are used from here,
e.g. which postings graduates see (:mod:`service.postings.visibility`) and who approves which
employer (:mod:`service.employers.verification`). Accounts and sign-in are :mod:`service.accounts`."""
