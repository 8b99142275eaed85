"""The core room, at the bottom: what more than one room needs (docs/architecture.md).

The region tree, program offices, campaigns and cohorts, roles, the audit log, the one outbox,
phone numbers and their masking, and the one scoping function. Every other room may import
from here; nothing here imports a room above it.
"""
