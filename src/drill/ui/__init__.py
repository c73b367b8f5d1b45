"""The terminal: parsing commands (cli), the interactive reviewer (reviewer), problem
practice (practice) and the text each result is shown as (render). Everything here calls
drill.services and shows what comes back; no SQL, YAML or genanki."""
