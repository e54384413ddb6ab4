"""Privacy by default: redaction of people, burned-in masks, time-limited unmasking."""
