"""The printed schema: committed, and every mutation declares its roles."""

from __future__ import annotations

from pathlib import Path

from graphql import ObjectTypeDefinitionNode, build_schema, parse

from srm.domain.access import FIELD_ROLES, OPERATION_ROLES, PUBLIC_OPERATIONS
from srm.schema.schema import schema

SDL_FILE = Path(__file__).parent.parent / "schema.graphql"


def test_schema_matches_committed_sdl() -> None:
    printed = schema.as_str().strip()

    # Regenerate after an intended change with: srm schema > schema.graphql
    assert printed == SDL_FILE.read_text(encoding="utf-8").strip()


def _directive_fields() -> dict[str, list[str]]:
    """Return "Type.field" of every field in the SDL with the directives it prints."""
    fields: dict[str, list[str]] = {}
    for definition in parse(schema.as_str()).definitions:
        if isinstance(definition, ObjectTypeDefinitionNode):
            for field in definition.fields or []:
                key = f"{definition.name.value}.{field.name.value}"
                fields[key] = [d.name.value for d in field.directives or []]
    return fields


def test_every_mutation_has_policy() -> None:
    mutation_type = build_schema(schema.as_str()).mutation_type
    assert mutation_type is not None

    mutations = set(mutation_type.fields) - PUBLIC_OPERATIONS

    assert mutations <= set(OPERATION_ROLES)


def test_policy_matches_printed_directives() -> None:
    fields = _directive_fields()
    restricted = {
        key for key, directives in fields.items() if "requiresRole" in directives
    }
    operations = {
        key.split(".", 1)[1]
        for key in restricted
        if key.startswith(("Query.", "Mutation."))
    }
    object_fields = {
        key for key in restricted if not key.startswith(("Query.", "Mutation."))
    }

    assert operations == set(OPERATION_ROLES)
    assert object_fields == set(FIELD_ROLES)


def test_mutations_print_requires_role() -> None:
    document = parse(schema.as_str())
    mutation = next(
        d
        for d in document.definitions
        if isinstance(d, ObjectTypeDefinitionNode) and d.name.value == "Mutation"
    )

    for field in mutation.fields or []:
        directives = [d.name.value for d in field.directives or []]
        if field.name.value in PUBLIC_OPERATIONS:
            assert directives == [], field.name.value
        else:
            assert directives == ["requiresRole"], field.name.value
