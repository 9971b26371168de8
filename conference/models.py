"""Imports every area's models so SQLAlchemy and Alembic see the whole schema."""

from conference.access_codes.models import AccessCode
from conference.accounts.models import User
from conference.activity.models import ActivityEntry
from conference.api.models import ApiToken
from conference.archive.models import ArchiveEntry, ProposalTopic, TopicTag
from conference.attendance.models import AttendanceDay, AttendanceRegistration, AttendanceWindow
from conference.checkin.models import CheckIn
from conference.conferences.models import (
    Conference,
    ConferenceRole,
    Hub,
    Role,
    Room,
    SessionFormat,
    Track,
)
from conference.discussion.models import DiscussionFollower, ProposalComment
from conference.feedback.models import FeedbackAnswer, FeedbackQuestion, FeedbackResponse
from conference.feeds.models import FeedMembership, FeedToken, RenderedFeed
from conference.interest.models import InterestMark
from conference.mail.models import EmailTemplate, OutboxMessage
from conference.materials.models import TalkMaterial
from conference.proposals.models import (
    AvailabilityAnswer,
    AvailabilityWindow,
    CfpAnswer,
    CfpQuestion,
    CfpQuestionKind,
    Proposal,
    ProposalSpeaker,
    SpeakerProfile,
)
from conference.questions.models import AudienceQuestion, QuestionVote
from conference.reviews.models import (
    Conflict,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewerTrackPreference,
    ReviewScore,
)
from conference.schedule.models import (
    CalendarEntry,
    ScheduleBlock,
    ScheduleBlockRoom,
    ScheduledTalk,
    ScheduleSettings,
    ScheduleVersion,
    SolverRun,
)
from conference.sso.models import GroupGrantedRole, GroupGrantedSiteAdmin, GroupRoleRule
from conference.tags.models import ProposalTag, Tag

__all__ = [
    "ActivityEntry",
    "AccessCode",
    "ApiToken",
    "AudienceQuestion",
    "QuestionVote",
    "AttendanceDay",
    "AttendanceRegistration",
    "AttendanceWindow",
    "CheckIn",
    "ArchiveEntry",
    "ProposalComment",
    "DiscussionFollower",
    "FeedbackAnswer",
    "FeedbackQuestion",
    "FeedbackResponse",
    "ProposalTopic",
    "TalkMaterial",
    "TopicTag",
    "AvailabilityAnswer",
    "AvailabilityWindow",
    "CalendarEntry",
    "CfpAnswer",
    "CfpQuestion",
    "CfpQuestionKind",
    "FeedMembership",
    "FeedToken",
    "RenderedFeed",
    "ScheduleBlock",
    "ScheduleBlockRoom",
    "ScheduledTalk",
    "ScheduleSettings",
    "ScheduleVersion",
    "SolverRun",
    "Conference",
    "ConferenceRole",
    "Conflict",
    "EmailTemplate",
    "Hub",
    "InterestMark",
    "OutboxMessage",
    "Proposal",
    "ProposalSpeaker",
    "ProposalTag",
    "Review",
    "ReviewAssignment",
    "ReviewCriterion",
    "ReviewerTrackPreference",
    "GroupGrantedRole",
    "GroupGrantedSiteAdmin",
    "GroupRoleRule",
    "ReviewScore",
    "Role",
    "Room",
    "SessionFormat",
    "SpeakerProfile",
    "Tag",
    "Track",
    "User",
]
