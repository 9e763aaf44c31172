// Light or dark: follows the system until the user picks one (UI state, kept in this browser).
import { create } from "zustand";
import { persist } from "zustand/middleware";

export type Theme = "system" | "light" | "dark";

export const useTheme = create<{ theme: Theme; setTheme: (theme: Theme) => void }>()(
  persist((set) => ({ theme: "system", setTheme: (theme) => set({ theme }) }), { name: "gathering-theme" }),
);

export function applyTheme(theme: Theme): void {
  const dark = theme === "dark" || (theme === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
}
