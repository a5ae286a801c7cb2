"""Places pages, one module per room: public search and fiche, orientation, phone operator, printed
directory, management (imports, quarantine, edits) and deduplication."""
