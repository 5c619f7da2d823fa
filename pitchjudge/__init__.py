"""PitchJudge: run a startup pitch contest from the first application to the last prize."""

__version__ = "0.1.0"
