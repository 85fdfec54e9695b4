"""The portal's shared core, a leaf that imports only Django and its libraries: errors, the
vocabulary of codes and units, id parsing, money formatting, the aggregate cache, role-check
decorators, cross-app signals and the task lookup. Every app may import it; it imports none."""
