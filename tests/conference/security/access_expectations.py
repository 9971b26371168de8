"""Who may use which route: the expected outcome per endpoint, HTTP method and role.

One table per blueprint maps an endpoint to a `Route`: the outcome of each of its methods
for every role of the security world (see conftest.ROLES). Outcomes are exact for refusals
(403, 404, a redirect to the login page) and loose for granted access (ALLOWED: the request
got past the access check; with empty form data a 400 or 422 form error is fine).
A route missing here fails tests/conference/security/test_access_matrix.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tests.conference.security.conftest import ROLES

# --- outcomes ------------------------------------------------------------------------------

OK = "200"  # exactly 200
REDIRECT = "redirect"  # 302 to somewhere other than the login page
LOGIN = "login"  # 302 to the login page
FORBIDDEN = "403"
NOT_FOUND = "404"
# The JSON API's answer without a bearer token: a session login is no API credential.
UNAUTHORIZED = "401"
# Past the access check: any answer but 401/403/404/405, a redirect to log in, or a 5xx.
ALLOWED = "allowed"

DENIED = frozenset({LOGIN, FORBIDDEN, NOT_FOUND, UNAUTHORIZED})


@dataclass(frozen=True)
class Access:
    """The outcome of one method of one route for each role."""

    outcomes: Mapping[str, str]

    def but(self, **changes: str) -> Access:
        """The same access with some roles' outcomes replaced."""
        unknown = set(changes) - set(ROLES)
        if unknown:
            raise ValueError(f"Unknown roles {sorted(unknown)}")
        return Access({**self.outcomes, **changes})

    def __getitem__(self, role: str) -> str:
        return self.outcomes[role]


def _everyone(outcome: str) -> dict[str, str]:
    return dict.fromkeys(ROLES, outcome)


def public(outcome: str = OK) -> Access:
    """Anyone, logged in or not."""
    return Access(_everyone(outcome))


def logged_in(outcome: str = OK) -> Access:
    """Any account; anonymous people are sent to log in."""
    return Access({**_everyone(outcome), "anonymous": LOGIN})


def organiser_only(outcome: str = OK) -> Access:
    """The conference's organisers; every other account is refused with 403."""
    return Access({**_everyone(FORBIDDEN), "anonymous": LOGIN, "organiser": outcome})


def reviewers_only(outcome: str = OK) -> Access:
    """Reviewers of the conference, conflicted or not; other accounts get 403."""
    return Access(
        {
            **_everyone(FORBIDDEN),
            "anonymous": LOGIN,
            "reviewer": outcome,
            "conflicted_reviewer": outcome,
        }
    )


def reviewer_not_conflicted(outcome: str = OK) -> Access:
    """A proposal's reviewer; a reviewer with a conflict on it is told it does not exist."""
    return reviewers_only(outcome).but(conflicted_reviewer=NOT_FOUND)


def speaker_own(outcome: str = OK) -> Access:
    """The proposal's own speaker; to every other account it does not exist."""
    return Access({**_everyone(NOT_FOUND), "anonymous": LOGIN, "speaker": outcome})


def talk_managers(outcome: str = OK) -> Access:
    """The talk's own speaker and the conference's organisers; other accounts get 403."""
    return organiser_only(outcome).but(speaker=outcome)


def site_admin_only() -> Access:
    """Site administrators (no role of the world is one)."""
    return Access({**_everyone(FORBIDDEN), "anonymous": LOGIN})


@dataclass(frozen=True)
class Route:
    """Expected access per method; ``values`` names world objects for this route's variables."""

    get: Access | None = None
    post: Access | None = None
    values: Mapping[str, str] = field(default_factory=dict)
    # Each role that may act gets an untouched world: the first one's action (a removal,
    # say) would otherwise turn the next one's request into a 404.
    fresh_world_per_role: bool = False

    def methods(self) -> dict[str, Access]:
        return {name: access for name, access in (("GET", self.get), ("POST", self.post)) if access}


def page(access: Access, **values: str) -> Route:
    return Route(get=access, values=values)


def action(access: Access, fresh_world_per_role: bool = False, **values: str) -> Route:
    """A POST-only route."""
    return Route(post=access, values=values, fresh_world_per_role=fresh_world_per_role)


def form(get: Access, post: Access, **values: str) -> Route:
    return Route(get=get, post=post, values=values)


ORGANISER_PAGE = page(organiser_only())
ORGANISER_ACTION = action(organiser_only(ALLOWED))
ORGANISER_FORM = form(organiser_only(), organiser_only(ALLOWED))

# --- per blueprint -------------------------------------------------------------------------

ACCOUNTS = {
    # Logged-in people are sent on to the start page.
    "accounts.register": form(public().but(**dict.fromkeys(ROLES[1:], REDIRECT)), public(ALLOWED)),
    "accounts.login": form(public().but(**dict.fromkeys(ROLES[1:], REDIRECT)), public(ALLOWED)),
    "accounts.logout": action(public(REDIRECT)),
    "accounts.profile": form(logged_in(), logged_in(ALLOWED)),
    "accounts.change_password": form(logged_in(), logged_in(ALLOWED)),
    "accounts.request_password_reset": form(public(), public(ALLOWED)),
    "accounts.password_reset_sent": page(public()),
    # The signed token is the credential, whoever opens the link.
    "accounts.reset_password": form(public(), public(ALLOWED), token="reset_token"),
}

CONFERENCES = {
    "conferences.home": page(public()),
    "conferences.overview": page(public()),
    "conferences.track_styles": page(public()),
}

ORGANISERS = {
    "organisers.create_conference": form(site_admin_only(), site_admin_only()),
    "organisers.dashboard": ORGANISER_PAGE,
    "organisers.settings": ORGANISER_FORM,
    "organisers.people": ORGANISER_FORM,
    "organisers.remove_role": ORGANISER_ACTION,
    "organisers.hubs": ORGANISER_PAGE,
    "organisers.new_hub": ORGANISER_FORM,
    "organisers.edit_hub": ORGANISER_FORM,
    "organisers.delete_hub": ORGANISER_ACTION,
    "organisers.rooms": ORGANISER_PAGE,
    "organisers.new_room": ORGANISER_FORM,
    "organisers.edit_room": ORGANISER_FORM,
    "organisers.delete_room": ORGANISER_ACTION,
    "organisers.tracks": ORGANISER_PAGE,
    "organisers.new_track": ORGANISER_FORM,
    "organisers.edit_track": ORGANISER_FORM,
    "organisers.delete_track": ORGANISER_ACTION,
    "organisers.session_formats": ORGANISER_PAGE,
    "organisers.new_session_format": ORGANISER_FORM,
    "organisers.edit_session_format": ORGANISER_FORM,
    "organisers.delete_session_format": ORGANISER_ACTION,
    "organisers.cfp_questions": ORGANISER_PAGE,
    "organisers.new_cfp_question": ORGANISER_FORM,
    "organisers.edit_cfp_question": form(
        organiser_only(), organiser_only(ALLOWED), question_id="cfp_question"
    ),
    "organisers.move_cfp_question": action(organiser_only(ALLOWED), question_id="cfp_question"),
    "organisers.retire_cfp_question": action(organiser_only(ALLOWED), question_id="cfp_question"),
    # A page that asks whom the question is for, then the action; the world's question is
    # asked, so organisers are sent back to the list.
    "organisers.restore_cfp_question": form(
        organiser_only(REDIRECT), organiser_only(ALLOWED), question_id="cfp_question"
    ),
    # The world's question has answers, so deleting it is refused with a message (a redirect).
    "organisers.delete_cfp_question": action(organiser_only(ALLOWED), question_id="cfp_question"),
    # Organisers read any submitted proposal with every answer (a draft would be a 404).
    "organisers.proposal": ORGANISER_PAGE,
}

PROPOSALS = {
    # Anyone with an account may propose talks, so the speaker pages are open to all of them.
    "proposals.profile": form(logged_in(), logged_in(ALLOWED)),
    "proposals.availability": form(logged_in(), logged_in(ALLOWED)),
    "proposals.my_proposals": page(logged_in()),
    "proposals.new_proposal": form(logged_in(), logged_in(ALLOWED)),
    "proposals.detail": page(speaker_own()),
    "proposals.edit": form(speaker_own(), speaker_own(ALLOWED), proposal_id="submission"),
    "proposals.withdraw": form(speaker_own(), speaker_own(ALLOWED), proposal_id="submission"),
    "proposals.invite": action(speaker_own(ALLOWED), proposal_id="submission"),
    "proposals.cancel_invitation": action(speaker_own(ALLOWED), proposal_id="submission"),
    # The invitation link is for the attendee's address; other accounts see a refusal.
    "proposals.invitation": form(
        logged_in(FORBIDDEN).but(attendee=OK),
        logged_in(FORBIDDEN).but(attendee=ALLOWED),
        token="invitation_token",
    ),
}

REVIEWS = {
    "reviews.my_reviews": page(reviewers_only()),
    "reviews.next_review": page(reviewers_only(REDIRECT)),
    "reviews.preferences": form(reviewers_only(), reviewers_only(ALLOWED)),
    # The matrix's talk is decided: its review is read-only, so a POST is refused (the
    # hostile-input corpus saves a review of a proposal still under review).
    "reviews.review": form(reviewer_not_conflicted(), reviewer_not_conflicted(FORBIDDEN)),
    "reviews.declare_conflict": action(reviewer_not_conflicted(ALLOWED)),
    "reviews.rubric": ORGANISER_PAGE,
    "reviews.review_settings": ORGANISER_ACTION,
    "reviews.new_criterion": ORGANISER_FORM,
    "reviews.edit_criterion": ORGANISER_FORM,
    "reviews.delete_criterion": ORGANISER_ACTION,
    "reviews.move_criterion": ORGANISER_ACTION,
    "reviews.conflicts": ORGANISER_FORM,
    "reviews.delete_conflict": ORGANISER_ACTION,
    "reviews.assignments": ORGANISER_PAGE,
    "reviews.run_assignment": ORGANISER_ACTION,
    "reviews.add_assignment": ORGANISER_ACTION,
    "reviews.remove_assignment": ORGANISER_ACTION,
}

DECISIONS = {
    "decisions.cfp_dashboard": ORGANISER_PAGE,
    "decisions.ranking": ORGANISER_PAGE,
    "decisions.ranking_export": ORGANISER_PAGE,
    "decisions.decide_many": ORGANISER_ACTION,
    "decisions.tag_many": ORGANISER_ACTION,
    "decisions.decide_one": ORGANISER_ACTION,
    "decisions.send_decision_emails": ORGANISER_ACTION,
    "decisions.send_confirmation_reminders": ORGANISER_ACTION,
    "decisions.send_review_reminders": ORGANISER_ACTION,
    "decisions.confirmation": form(speaker_own(), speaker_own(ALLOWED)),
}

MAIL = {
    "mail.templates": ORGANISER_PAGE,
    "mail.edit_template": ORGANISER_FORM,
    "mail.reset_template": ORGANISER_ACTION,
    "mail.outbox": ORGANISER_PAGE,
    "mail.outbox_message": ORGANISER_PAGE,
    "mail.compose_email": ORGANISER_FORM,
    "mail.retry": ORGANISER_ACTION,
}

INTEREST = {
    "interest.browse": page(logged_in()),
    "interest.talk": page(logged_in()),
    "interest.mine": page(logged_in()),
    "interest.mark": action(logged_in(ALLOWED)),
    "interest.unmark": action(logged_in(ALLOWED)),
}

SCHEDULE = {
    "schedule.setup": ORGANISER_PAGE,
    "schedule.save_settings": ORGANISER_ACTION,
    "schedule.add_block": ORGANISER_ACTION,
    "schedule.delete_block": ORGANISER_ACTION,
    "schedule.save_open_rooms": ORGANISER_ACTION,
    "schedule.generate_grid": ORGANISER_ACTION,
    "schedule.build": ORGANISER_PAGE,
    "schedule.start_run": ORGANISER_ACTION,
    "schedule.run": ORGANISER_PAGE,
    "schedule.run_status": ORGANISER_PAGE,
    "schedule.cancel_run": ORGANISER_ACTION,
}

DRAFTS = {
    "drafts.editor": ORGANISER_PAGE,
    "drafts.move_talk": ORGANISER_FORM,
    # The world's talk is in the draft, so its place form shows where it is now (and moves it).
    "drafts.place_talk": ORGANISER_FORM,
    "drafts.unschedule_talk": ORGANISER_ACTION,
    "drafts.pin_talk": ORGANISER_ACTION,
    "drafts.unpin_talk": ORGANISER_ACTION,
    "drafts.reoptimise": ORGANISER_ACTION,
    "drafts.publish": ORGANISER_ACTION,
    "drafts.versions": ORGANISER_PAGE,
    "drafts.version": ORGANISER_PAGE,
    "drafts.changelog": page(public()),
}

AGENDA = {
    "agenda.day": page(public()),
    "agenda.now": page(public()),
    "agenda.talk": page(public()),
    "agenda.speakers": page(public()),
    "agenda.rooms": page(public()),
    # The world's speaker speaks in its published schedule (user_id: that speaker).
    "agenda.speaker": page(public()),
    "agenda.mine": page(logged_in()),
    "agenda.star": action(logged_in(ALLOWED)),
    "agenda.unstar": action(logged_in(ALLOWED)),
}

FEEDS = {
    "feeds.conference_feed": page(public()),
    "feeds.track_feed": page(public()),
    "feeds.hub_feed": page(public()),
    "feeds.speaker_feed": page(public()),
    "feeds.talk_event": page(public()),
    # The secret token is the credential: whoever holds the link reads the feed.
    "feeds.personal_feed": page(public(), token="feed_token"),
    "feeds.schedule_xml": page(public()),
    "feeds.schedule_json": page(public()),
    "feeds.subscribe": page(public()),
    "feeds.renew_personal_link": action(logged_in(ALLOWED)),
}

FEEDBACK = {
    # Anyone with an account may rate a talk that has ended, except its own speakers.
    "feedback.give": form(
        logged_in().but(speaker=FORBIDDEN), logged_in(ALLOWED).but(speaker=FORBIDDEN)
    ),
    "feedback.my_results": page(logged_in()),
    "feedback.overview": ORGANISER_PAGE,
    "feedback.talk_results": ORGANISER_PAGE,
    "feedback.questions": ORGANISER_PAGE,
    "feedback.new_question": ORGANISER_ACTION,
    "feedback.edit_question": ORGANISER_FORM,
    "feedback.retire_question": ORGANISER_ACTION,
    "feedback.restore_question": ORGANISER_ACTION,
    "feedback.move_question": ORGANISER_ACTION,
    "feedback.save_settings": ORGANISER_ACTION,
}

MATERIALS = {
    "materials.manage": page(talk_managers()),
    "materials.upload_slides": action(talk_managers(ALLOWED)),
    "materials.add_link": action(talk_managers(ALLOWED)),
    "materials.remove": action(
        talk_managers(ALLOWED), fresh_world_per_role=True, material_id="recording"
    ),
    # Slides of a published talk are public.
    "materials.download": page(public()),
    "materials.overview": ORGANISER_PAGE,
    "materials.catch_up": page(logged_in()),
    "materials.recordings_feed": page(public()),
}

ARCHIVE = {
    "archive.search": page(public()),
    "archive.topics": page(public()),
    "archive.topic": page(public(), slug="topic_slug"),
    "archive.tagging": ORGANISER_PAGE,
    "archive.new_topic": ORGANISER_ACTION,
    "archive.attach_topic": ORGANISER_ACTION,
    "archive.detach_topic": ORGANISER_ACTION,
}

INSIGHTS = {
    "insights.overview": ORGANISER_PAGE,
}

API = {
    "api.tokens": ORGANISER_FORM,
    "api.revoke_token": ORGANISER_ACTION,
    # Bearer tokens only (tests/conference/api/test_access.py checks them per route).
    "api.v1.conference": page(public(UNAUTHORIZED)),
    "api.v1.proposals": page(public(UNAUTHORIZED)),
    "api.v1.speakers": page(public(UNAUTHORIZED)),
    "api.v1.reviews": page(public(UNAUTHORIZED)),
    "api.v1.schedule": page(public(UNAUTHORIZED)),
    "api.v1.rooms": page(public(UNAUTHORIZED)),
    "api.v1.tracks": page(public(UNAUTHORIZED)),
}

# The talk is decided: its reviewer reads its discussion but may no longer write in it; the
# conflicted reviewer is told it does not exist; only the organiser (the world comment's
# author) writes, edits and deletes.
_DISCUSSION_WRITERS = reviewer_not_conflicted(FORBIDDEN).but(organiser=ALLOWED)
DISCUSSION = {
    "discussion.post": action(_DISCUSSION_WRITERS),
    "discussion.change": form(reviewer_not_conflicted(FORBIDDEN).but(organiser=OK), _DISCUSSION_WRITERS),
    "discussion.delete": action(_DISCUSSION_WRITERS, fresh_world_per_role=True),
    # Following needs only reading: the decided talk's reviewer still may.
    "discussion.follow": action(_DISCUSSION_WRITERS.but(reviewer=ALLOWED)),
    "discussion.followed": page(reviewers_only().but(organiser=OK)),
}

# Organisers manage a conference's access codes; the world's code is unused, so deleting it
# succeeds (a redirect), and only the organiser gets that far.
ACCESS_CODES = {
    "access_codes.codes": ORGANISER_PAGE,
    "access_codes.new_code": ORGANISER_FORM,
    "access_codes.edit_code": ORGANISER_FORM,
    "access_codes.send_code": ORGANISER_ACTION,
    "access_codes.revoke_code": ORGANISER_ACTION,
    "access_codes.delete_code": ORGANISER_ACTION,
}

# Anyone with an account says how they attend (their own registration only); organisers see
# the lists, set the window and remove registrations (the world's attendee has a seat).
ATTENDANCE = {
    "attendance.mine": form(logged_in(), logged_in(ALLOWED)),
    "attendance.cancel": action(logged_in(ALLOWED)),
    "attendance.overview": ORGANISER_PAGE,
    "attendance.hub_day": ORGANISER_PAGE,
    "attendance.remote": ORGANISER_PAGE,
    "attendance.export": ORGANISER_PAGE,
    "attendance.settings": ORGANISER_FORM,
    "attendance.remove_window": ORGANISER_FORM,
    "attendance.remove_registration": ORGANISER_ACTION,
}

# The hub check-in desk and badges: organisers only (no hub-host role exists). The world's
# hub is London and its day the first conference day (yesterday); user_id is the speaker, who
# has no registration (the organiser hears so at the desk).
CHECKIN = {
    "checkin.index": ORGANISER_PAGE,
    "checkin.hub_today": page(organiser_only(REDIRECT)),
    "checkin.desk": ORGANISER_PAGE,
    "checkin.check_in": ORGANISER_ACTION,
    "checkin.undo": ORGANISER_ACTION,
    "checkin.export": ORGANISER_PAGE,
    "checkin.badges": ORGANISER_PAGE,
}

ACTIVITY = {
    # Who did what and when: organisers only (speakers and reviewers never read the log).
    "activity.activity": ORGANISER_PAGE,
}

# Organisers' proposal tags; the world's tag is on the talk, so deleting it first asks (a redirect).
TAGS = {
    "tags.index": ORGANISER_PAGE,
    "tags.new_tag": ORGANISER_FORM,
    "tags.edit_tag": form(organiser_only(), organiser_only(ALLOWED), tag_id="proposal_tag"),
    "tags.delete_tag": action(organiser_only(ALLOWED), tag_id="proposal_tag"),
    "tags.set_proposal_tags": ORGANISER_ACTION,
}

# Site admins manage every account (user_id: the world's speaker); nobody in the matrix is one.
ADMIN = {
    "admin.people": page(site_admin_only()),
    "admin.person": page(site_admin_only()),
    "admin.deactivate": action(site_admin_only()),
    "admin.reactivate": action(site_admin_only()),
    "admin.erase": form(site_admin_only(), site_admin_only()),
}

# The agenda framed by other sites: public like the agenda; its snippet page is the organisers'.
EMBED = {
    "embed.agenda": page(public()),
    "embed.snippet": ORGANISER_PAGE,
}

# Single sign-on exists only with OIDC_ISSUER set, which the matrix's app is not
# (tests/conference/sso drive it through a real provider).
SSO = {
    "sso.start": page(public(NOT_FOUND)),
    "sso.callback": page(public(NOT_FOUND)),
    "sso.provider_logout": page(public(NOT_FOUND)),
    # Organisers' rules giving roles to company groups: checked for the role first, then absent
    # without a provider (tests/conference/sso/test_group_roles.py checks them with one).
    "sso.group_roles": form(organiser_only(NOT_FOUND), organiser_only(NOT_FOUND)),
    "sso.remove_group_role": action(organiser_only(NOT_FOUND), rule_id="role_id"),
}

# Live questions: read by anyone, asked and voted by any account, moderated by the talk's own
# speaker and the organisers; only the asker (the world's question is the attendee's) deletes.
# The world's talk ended yesterday, so whether asking is still open depends on the hour: a
# closed window is a 409 with a message, which ALLOWED takes either way.
QUESTION_MODERATION = action(talk_managers(ALLOWED), question_id="audience_question")
QUESTIONS = {
    "questions.talk": page(public()),
    "questions.fragment": page(public()),
    "questions.present": page(public()),
    "questions.export": page(talk_managers()),
    "questions.ask": action(logged_in(ALLOWED)),
    "questions.vote": action(logged_in(ALLOWED), question_id="audience_question"),
    "questions.delete": action(
        Access({**_everyone(FORBIDDEN), "anonymous": LOGIN, "attendee": ALLOWED}),
        question_id="audience_question",
    ),
    "questions.answer": QUESTION_MODERATION,
    "questions.reopen": QUESTION_MODERATION,
    "questions.hide": QUESTION_MODERATION,
    "questions.unhide": QUESTION_MODERATION,
    "questions.settings": ORGANISER_FORM,
}

STATIC = {
    "static": page(public()),
}

TABLES = {
    "accounts": ACCOUNTS,
    "conferences": CONFERENCES,
    "organisers": ORGANISERS,
    "proposals": PROPOSALS,
    "reviews": REVIEWS,
    "decisions": DECISIONS,
    "mail": MAIL,
    "interest": INTEREST,
    "schedule": SCHEDULE,
    "drafts": DRAFTS,
    "agenda": AGENDA,
    "feeds": FEEDS,
    "feedback": FEEDBACK,
    "materials": MATERIALS,
    "archive": ARCHIVE,
    "insights": INSIGHTS,
    "discussion": DISCUSSION,
    "tags": TAGS,
    "api": API,
    "access_codes": ACCESS_CODES,
    "activity": ACTIVITY,
    "embed": EMBED,
    "sso": SSO,
    "admin": ADMIN,
    "attendance": ATTENDANCE,
    "checkin": CHECKIN,
    "questions": QUESTIONS,
    "static": STATIC,
}


def _merged() -> dict[str, Route]:
    merged: dict[str, Route] = {}
    for blueprint, table in TABLES.items():
        for endpoint, route in table.items():
            if endpoint != "static" and not endpoint.startswith(f"{blueprint}."):
                raise ValueError(f"{endpoint} is in the {blueprint} table")
            merged[endpoint] = route
    return merged


EXPECTATIONS: dict[str, Route] = _merged()
