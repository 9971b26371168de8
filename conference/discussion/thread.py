"""What a page needs to show a proposal's discussion (see templates/discussion/_thread.html)."""

from __future__ import annotations

from dataclasses import dataclass, field

from conference.accounts.models import User
from conference.conferences.models import Conference
from conference.discussion import operations
from conference.discussion.access import DiscussionAccess, discussion_access
from conference.discussion.forms import CommentForm, FollowForm
from conference.discussion.models import DiscussionEmails, ProposalComment
from conference.proposals.models import Proposal

BACK_TO_REVIEW = "review"
BACK_TO_MANAGE = "manage"

# What following brings, by the follower's choice on their account page.
FOLLOWING_EMAILS = {
    DiscussionEmails.EACH: "each new comment is e-mailed to you.",
    DiscussionEmails.DIGEST: "its new comments come in your daily digest e-mail, at about 08:00 your time.",
    DiscussionEmails.NONE: "it is in your list of followed discussions; you chose no discussion e-mails.",
}


def following_emails(viewer: User) -> str:
    """What following a discussion brings ``viewer``, in a sentence's second half."""
    return FOLLOWING_EMAILS.get(viewer.discussion_emails, FOLLOWING_EMAILS[DiscussionEmails.EACH])


@dataclass
class Thread:
    proposal: Proposal
    access: DiscussionAccess
    viewer: User
    back: str
    comments: list[ProposalComment] = field(default_factory=list)
    form: CommentForm | None = None
    following: bool = False
    follow_form: FollowForm | None = None

    @property
    def following_emails(self) -> str:
        return following_emails(self.viewer)

    def can_change(self, comment: ProposalComment) -> bool:
        """Edit (their own) or delete (organisers: any) from the thread."""
        return self.access.can_write and (comment.author_id == self.viewer.id or self.access.organiser)


def thread_for(conference: Conference, proposal: Proposal, viewer: User, back: str) -> Thread:
    access = discussion_access(conference, proposal, viewer)
    thread = Thread(proposal, access, viewer, back)
    if access.can_read:
        thread.comments = operations.comments(proposal)
        thread.following = operations.is_following(proposal, viewer)
        thread.follow_form = FollowForm(formdata=None, follow="0" if thread.following else "1", back=back)
    if access.can_write:
        thread.form = CommentForm(formdata=None, back=back)
    return thread
