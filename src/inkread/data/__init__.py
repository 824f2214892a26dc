"""The data layer: IDX files, the dataset catalogue, splits, encoders, augmentation and loaders."""
