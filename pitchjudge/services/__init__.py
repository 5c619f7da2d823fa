"""Services: the verbs of PitchJudge. They check every rule and raise domain errors."""
