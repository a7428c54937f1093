"""Everything that draws: console, review screen, stats (terminal and HTML), reports, formats."""
