"""Independent float64 NumPy oracles of the course's equations, written plainly from the papers with
explicit loops and sharing no code with :mod:`ntm_minimal`: ``ntm`` (Eq. 2-9 of the NTM paper) and
``dnc`` (the DNC's memory management, and Csordás & Schmidhuber's fixes)."""
