"""Import every domain's models so ``Base.metadata`` is complete (Alembic, tests)."""

from service.accounts.models import AuthSession, User
from service.alerts.models import JobAlert, JobAlertHit, SavedJob
from service.applications.models import Application, ApplicationEvent
from service.catalog.models import Major, Region, School
from service.conversations.models import Invitation, Message
from service.db import Base
from service.destinations.models import DestinationEvent
from service.employers.models import Employer
from service.graduates.models import Graduate, GraduateAward, GraduateCertificate, GraduateExperience
from service.internships.models import Internship
from service.interviews.models import Interview, InterviewSlot
from service.jobs.models import JobRun
from service.notifications.models import Notification, NotificationPreference, OutboxMessage
from service.postings.changes import PostingChange
from service.postings.models import Posting
from service.privacy.models import AuditEvent, GraduateDeletion
from service.recommendations.changes import RecommendationChange
from service.reports.models import ReportSnapshot
from service.resumes.models import ApplicationResume, ResumeAttachment
from service.rosters.models import RosterUpload, RosterUploadGraduate
from service.signup.models import ActivationCode
from service.taxonomy.models import Concept, ConceptAlias, MajorOccupation

__all__ = [
    "AuthSession",
    "User",
    "Application",
    "ApplicationEvent",
    "Base",
    "Concept",
    "ConceptAlias",
    "DestinationEvent",
    "Employer",
    "Graduate",
    "GraduateAward",
    "GraduateCertificate",
    "GraduateExperience",
    "Major",
    "MajorOccupation",
    "AuditEvent",
    "GraduateDeletion",
    "Posting",
    "PostingChange",
    "RecommendationChange",
    "Region",
    "ReportSnapshot",
    "School",
    "Notification",
    "NotificationPreference",
    "OutboxMessage",
    "JobRun",
    "Interview",
    "InterviewSlot",
    "Internship",
    "RosterUpload",
    "RosterUploadGraduate",
    "ApplicationResume",
    "ResumeAttachment",
    "Invitation",
    "Message",
    "ActivationCode",
    "JobAlert",
    "JobAlertHit",
    "SavedJob",
]
