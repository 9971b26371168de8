"""What a page needs to show a proposal's discussion (see templates/discussion/_thread.html)."""

from __future__ import annotations

from dataclasses import dataclass, field

from conference.accounts.models import User
from conference.conferences.models import Conference
from conference.discussion import operations
from conference.discussion.access import DiscussionAccess, discussion_access
from conference.discussion.forms import CommentForm, FollowForm
from conference.discussion.models import ProposalComment
from conference.proposals.models import Proposal

BACK_TO_REVIEW = "review"
BACK_TO_MANAGE = "manage"


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
