"""Résumés (简历): the printable résumé generated from a graduate's profile, the snapshot an
application keeps of it, the graduate's consent to share contact details with the employer, and the
applicant view employers read (contact details only with that consent, while the application is
live, every view audited)."""
