/** The timeline's geometry in px: lane height, bar height, time axis, lane-label gutter, plot padding. */
export const ROW = 24;
export const BAR = 16;
export const AXIS = 26;
export const GUTTER = 172;
export const PAD = 12;
