"""Reading and writing ``.nnsim`` project files (see docs/file-format.md)."""

from nnsim.io.document import ProjectDocument
from nnsim.io.migrations import CURRENT_SCHEMA
from nnsim.io.project_file import load_project, save_project

__all__ = ["CURRENT_SCHEMA", "ProjectDocument", "load_project", "save_project"]
