"""Qt views over the headless core (imported only by the GUI)."""
