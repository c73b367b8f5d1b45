"""The application layer: one function or class per use case, between the pure core
(content model, scheduler, estimation) and the terminal. Nothing here prints, prompts or
imports typer or rich: each service returns a typed result that the CLI renders and
`--json` serialises, and raises a DrillError the CLI reports in one place."""
