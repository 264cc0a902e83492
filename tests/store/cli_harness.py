"""Run the CLI modules owned by the dossier side without depending on assistant/cli.py:
a tiny argparse front that registers them the way assistant.cli does."""

CLI = """
import argparse, sys
from assistant import cli_db, cli_demo, cli_dossier
parser = argparse.ArgumentParser(prog="assistant")
sub = parser.add_subparsers(dest="command", required=True)
for module in (cli_db, cli_dossier, cli_demo):
    module.register(sub)
args = parser.parse_args(sys.argv[1:])
sys.exit(args.func(args))
"""
