"""Tables shipped with the package: dated events for deadline words."""
