"""`pandadmin service ...`: the deployable apps of an environment and their pool sizing."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from pandadmin.cli.errors import UsageError
from pandadmin.cli.fields import add_flags, given
from pandadmin.cli.support import (
    checked,
    load_config,
    require_env,
    save,
    unknown_name,
)
from pandadmin.core import config as cfg
from pandadmin.core.settings import Scope, check_name
from pandadmin.core.transaction import put


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
        add_flags(parser, Scope.SERVICE, required={"health_url"} if needs_url else ())
        parser.set_defaults(handler=handler)
    remove = sub.add_parser("remove", help="remove a service")
    remove.add_argument("env")
    remove.add_argument("name")
    remove.set_defaults(handler=service_remove)


def service_add(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    env = require_env(config, args.env)
    name = checked(lambda: check_name("service", args.name))
    if env.service(name) is not None:
        raise UsageError(f"service {name!r} already exists in {env.name!r} (use `service set`)")
    service = replace(cfg.Service(name, args.health_url), **given(args, Scope.SERVICE))
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
    options = given(args, Scope.SERVICE)
    if not options:
        raise UsageError("nothing to change: give at least one option")
    changed = replace(current, **options)
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


def _require_service(env: cfg.Environment, name: str) -> cfg.Service:
    service = env.service(name)
    if service is None:
        raise unknown_name("service", name, [s.name for s in env.services], env.name)
    return service


def _save(args: argparse.Namespace, config: cfg.Config, env: cfg.Environment) -> None:
    """Services change the config only (a removed service's headers leave the keyring)."""
    save(put(config, env), args.config)
