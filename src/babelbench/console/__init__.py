"""What a person sees of a run in a terminal: the live grid or plain lines, and the run's log file."""
