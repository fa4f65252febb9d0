"""Checks generated ecspresso files against the ECS API model that botocore ships.

Task definitions (ecs-task-def*.json) must fit RegisterTaskDefinitionRequest and service
definitions (ecs-service-def.json) CreateServiceRequest: every member name exists (ecspresso
writes them with a lowercase first letter), every value has the member's type, every enum
value is allowed. ecspresso fills the members it owns (service name, cluster, task
definition), so required members are not demanded. ecspresso.yml files must be YAML mappings
with the keys ecspresso needs. Usage: python ecs-check.py <dir>; prints problems, exits 1 if any.
"""

import json
import pathlib
import sys

import botocore.session
import yaml

MODEL = botocore.session.get_session().get_service_model("ecs")


def lower_first(name):
    return name[:1].lower() + name[1:]


def check(value, shape, where, problems):
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{where}: expected an object for {shape.name}")
            return
        members = {lower_first(name): member for name, member in shape.members.items()}
        for key, item in value.items():
            member = members.get(key)
            if member is None:
                problems.append(f"{where}: {shape.name} has no member `{key}`")
            else:
                check(item, member, f"{where}.{key}", problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{where}: expected a list")
            return
        for i, item in enumerate(value):
            check(item, shape.member, f"{where}[{i}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{where}: expected a map")
            return
        for key, item in value.items():
            check(item, shape.value, f"{where}.{key}", problems)
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{where}: expected a string, found {value!r}")
        elif shape.enum and value not in shape.enum and "{{" not in value:
            problems.append(f"{where}: `{value}` is not one of {shape.enum}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{where}: expected an integer, found {value!r}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{where}: expected a boolean, found {value!r}")


def main(root):
    problems = []
    checked = 0
    for path in sorted(pathlib.Path(root).rglob("*")):
        if path.name.startswith("ecs-task-def") and path.suffix == ".json":
            shape = MODEL.shape_for("RegisterTaskDefinitionRequest")
        elif path.name == "ecs-service-def.json":
            shape = MODEL.shape_for("CreateServiceRequest")
        elif path.name == "ecspresso.yml":
            config = yaml.safe_load(path.read_text())
            missing = [k for k in ("region", "cluster", "task_definition", "service_definition") if k not in config]
            if missing:
                problems.append(f"{path}: ecspresso.yml lacks {missing}")
            checked += 1
            continue
        else:
            continue
        check(json.loads(path.read_text()), shape, str(path), problems)
        checked += 1
    for problem in problems:
        print(problem)
    print(f"checked {checked} files: {len(problems)} problems")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
