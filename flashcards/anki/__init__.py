"""The Anki side: packages out (genanki), packages in (zip + zstd + sqlite3), live sync (the anki library)."""
