"""Village training sessions with attendance (issue 20): scheduling, rotating check-in codes,
check-in by learners, ticks and walk-ins by the trainer, and the attendance figures."""
