"""Engagement services, by sub-domain: `stakeholders`, `engagements`,
`audience` (resolving a message's audience), `messages` (the comms plan and
its approval), `sending` (outbox and calendar invitations), `attention` (the
portfolio's attention budget)."""
