"""The seven actions; `action_for` maps an action id to its implementation."""
