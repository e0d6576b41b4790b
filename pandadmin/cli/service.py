"""`pandadmin service ...`: the deployable apps of an environment and their pool sizing."""

from __future__ import annotations

import argparse
from dataclasses import replace
from functools import partial
from typing import Any

from pandadmin.cli.errors import UsageError
from pandadmin.cli.support import (
    checked,
    commit,
    load_config,
    require_env,
    unknown_name,
)
from pandadmin.core import config as cfg
from pandadmin.core import config_schema as schema

POOL_FIELDS = {"pool_size": 0, "max_overflow": 0, "workers": 1, "replicas": 1}


def register(commands: argparse._SubParsersAction[Any]) -> None:
    service = commands.add_parser("service", help="add, change, remove services")
    sub = service.add_subparsers(dest="service_command", metavar="ACTION", required=True)
    for action, handler, needs_url in (
        ("add", service_add, True),
        ("set", service_set, False),
    ):
        parser = sub.add_parser(action, help=f"{action} a service of an environment")
        parser.add_argument("env")
        parser.add_argument("name")
        parser.add_argument("--health-url", required=needs_url, metavar="URL")
        for key in POOL_FIELDS:
            parser.add_argument("--" + key.replace("_", "-"), type=int, metavar="N")
        parser.set_defaults(handler=handler)
    remove = sub.add_parser("remove", help="remove a service")
    remove.add_argument("env")
    remove.add_argument("name")
    remove.set_defaults(handler=service_remove)


def service_add(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    env = require_env(config, args.env)
    name = checked(lambda: schema.check_name("service", args.name))
    if env.service(name) is not None:
        raise UsageError(f"service {name!r} already exists in {env.name!r} (use `service set`)")
    service = _apply(
        cfg.Service(name, checked(lambda: schema.check_health_url(args.health_url))), args
    )
    _save(args, config, replace(env, services=(*env.services, service)))
    print(
        f"added service {name!r} to {env.name!r}: worst case "
        f"{service.worst_case_connections} connections"
    )
    return 0


def service_set(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    env = require_env(config, args.env)
    current = _require_service(env, args.name)
    changed = _apply(current, args)
    if changed == current:
        raise UsageError("nothing to change: give at least one option")
    services = tuple(changed if s.name == current.name else s for s in env.services)
    _save(args, config, replace(env, services=services))
    print(f"updated service {current.name!r} of {env.name!r}")
    return 0


def service_remove(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    env = require_env(config, args.env)
    current = _require_service(env, args.name)
    services = tuple(s for s in env.services if s.name != current.name)
    _save(args, config, replace(env, services=services))
    print(f"removed service {current.name!r} from {env.name!r}")
    return 0


def _apply(service: cfg.Service, args: argparse.Namespace) -> cfg.Service:
    changes: dict[str, Any] = {}
    if args.health_url is not None:
        changes["health_url"] = checked(lambda: schema.check_health_url(args.health_url))
    for key, minimum in POOL_FIELDS.items():
        value = getattr(args, key)
        if value is not None:
            flag = "--" + key.replace("_", "-")
            changes[key] = checked(partial(schema.check_int, flag, value, minimum))
    return replace(service, **changes)


def _require_service(env: cfg.Environment, name: str) -> cfg.Service:
    service = env.service(name)
    if service is None:
        raise unknown_name("service", name, [s.name for s in env.services], env.name)
    return service


def _save(args: argparse.Namespace, config: cfg.Config, env: cfg.Environment) -> None:
    commit(args.config, config.with_environment(env))
