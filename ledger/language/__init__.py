"""Pure text-to-meaning functions: no database, no click, no printing."""
