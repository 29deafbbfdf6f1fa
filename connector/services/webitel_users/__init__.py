"""The Webitel users section: records of Webitel users for Creatio system users (the desired state),
kept in step with Webitel (create, change, delete, licenses, roles, STUN, agent, team, skills, agent status)."""

from .change import change_webitel_user
from .create import create_webitel_user
from .delete import delete_webitel_user
from .grants import add_license, add_role, remove_license, remove_role
from .link import link_creatio_user
from .records import get_record, list_records, with_agent_status
from .skills import add_skill, change_skill, remove_skill
from .status import set_agent_status

__all__ = [
    "add_license", "add_role", "add_skill", "change_skill", "change_webitel_user", "create_webitel_user",
    "delete_webitel_user", "get_record",
    "link_creatio_user", "list_records", "remove_license", "remove_role", "remove_skill",
    "set_agent_status", "with_agent_status",
]
