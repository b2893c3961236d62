/** placeholder */
export const BOARD_HTML = "";
