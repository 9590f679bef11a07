"""For "one door" tests: find where the project's own modules write rows of a model themselves."""

import ast
from pathlib import Path

import prachum

ROOT = Path(prachum.__file__).resolve().parent
CREATING = {"create", "bulk_create", "get_or_create", "update_or_create"}


def _is_model(node: ast.AST, model: str) -> bool:
    return (isinstance(node, ast.Name) and node.id == model) or (isinstance(node, ast.Attribute) and node.attr == model)


def model_writes(source: str, model: str, filename: str = "<source>") -> list[int]:
    """The lines where `source` writes a `model` row: Model(…), Model.objects.create(…), bulk_create and the like."""
    lines = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if _is_model(func, model):
            lines.append(node.lineno)
        elif (
            isinstance(func, ast.Attribute) and func.attr in CREATING
            and isinstance(func.value, ast.Attribute) and func.value.attr in ("objects", "_default_manager")
            and _is_model(func.value.value, model)
        ):
            lines.append(node.lineno)
    return sorted(lines)


def project_modules(*, door: Path):
    """Every module of the project but tests, migrations and the door itself."""
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or path == door:
            continue
        yield path


def writers(model: str, *, door: Path) -> list[str]:
    """`path:line` of every place outside `door` that writes a `model` row."""
    modules = list(project_modules(door=door))
    assert len(modules) > 50  # the walk found the project
    return [f"{path.relative_to(ROOT.parent)}:{line}" for path in modules
            for line in model_writes(path.read_text(encoding="utf-8"), model, str(path))]
