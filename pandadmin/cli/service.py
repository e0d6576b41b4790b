"""`pandadmin service ...`: the deployable apps of an environment: pool sizing, health
conditions, and request headers (those go to the keyring)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import replace

from pandadmin.cli.errors import UsageError
from pandadmin.cli.fields import add_flags, given
from pandadmin.cli.headers import add_header_flags, given_headers
from pandadmin.cli.support import (
    checked,
    load_config,
    require_env,
    save,
    unknown_name,
)
from pandadmin.core import config as cfg
from pandadmin.core.config import asdict
from pandadmin.core.health_secrets import encode_headers, header_names, without_userinfo
from pandadmin.core.secret_keys import headers_key
from pandadmin.core.settings import Scope, check_health_conditions, check_name
from pandadmin.core.transaction import put


def register(service: argparse.ArgumentParser) -> None:
    """The arguments of `pandadmin service` (main.py names the command and its one-line help)."""
    sub = service.add_subparsers(dest="service_command", metavar="ACTION", required=True)
    for action, handler, needs_url in (
        ("add", service_add, True),
        ("set", service_set, False),
    ):
        parser = sub.add_parser(action, help=f"{action} a service of an environment")
        parser.add_argument("env")
        parser.add_argument("name")
        add_flags(parser, Scope.SERVICE, required={"health_url"} if needs_url else ())
        add_header_flags(parser)
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
    options = given(args, Scope.SERVICE)
    service = replace(cfg.Service(name, options["health_url"]), **options)
    service, headers = without_userinfo(_checked_service(service), given_headers(args))
    _save(args, config, replace(env, services=(*env.services, service)), headers)
    print(
        f"added service {name!r} to {env.name!r}: worst case "
        f"{service.worst_case_connections} connections"
    )
    return 0


def service_set(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    env = require_env(config, args.env)
    current = _require_service(env, args.name)
    options, typed = given(args, Scope.SERVICE), given_headers(args)
    if not options and typed is None:
        raise UsageError("nothing to change: give at least one option")
    changed, headers = without_userinfo(_checked_service(replace(current, **options)), typed)
    services = tuple(changed if s.name == current.name else s for s in env.services)
    _save(args, config, replace(env, services=services), headers)
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


def _checked_service(service: cfg.Service) -> cfg.Service:
    checked(lambda: check_health_conditions(asdict(service)))
    return service


def _save(
    args: argparse.Namespace,
    config: cfg.Config,
    env: cfg.Environment,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Save config and keyring together (`core/transaction.py`): `headers` ({} forgets
    them) go to the service's keyring entry; a removed service's entry leaves with it."""
    secrets = {}
    if headers is not None:
        secrets[headers_key(env.name, args.name)] = encode_headers(headers)
    save(put(config, env, secrets), args.config)
    if headers:
        print(f"stored request headers in the keyring: {header_names(headers)}")
